package dev.stamp.policies.rules;

import dev.stamp.policies.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Stamp's default rule catalogue: Dockerfile, image and deployment-spec rules. */
public final class DefaultRules {

  private static final List<Rule> ALL = build();

  private DefaultRules() {}

  private static List<Rule> build() {
    List<Rule> all = new ArrayList<>();
    all.addAll(DockerfileRules.all());
    all.addAll(ImageRules.all());
    all.addAll(SpecRules.all());
    all.sort(java.util.Comparator.comparing(Rule::id));
    Set<String> ids = new LinkedHashSet<>();
    for (Rule r : all) {
      if (!ids.add(r.id())) {
        throw new IllegalStateException("two default rules with id " + r.id());
      }
    }
    return Collections.unmodifiableList(all);
  }

  /** Every default rule, sorted by id. */
  public static List<Rule> all() {
    return ALL;
  }

  /** The ids of {@link #all()}, for validating policy files. */
  public static Set<String> ids() {
    Set<String> ids = new LinkedHashSet<>();
    ALL.forEach(r -> ids.add(r.id()));
    return ids;
  }
}
