package dev.stamp.controller.rollout;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.controller.compose.ComposeService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One service of a {@link DesiredApp}: the spec every host runs (image by digest; {@code replicas}
 * is the total over all hosts, {@link Placement} splits it), the placement constraints ({@code
 * node.labels.role == web}), what it depends on, and how it rolls out and back.
 */
public record DesiredService(
    String name,
    ServiceSpec spec,
    List<String> constraints,
    Map<String, ComposeService.Dependency> dependsOn,
    UpdatePolicy update,
    UpdatePolicy rollback) {

  public DesiredService {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("desired service: a name is required");
    }
    if (spec == null) {
      throw new IllegalArgumentException("desired service " + name + ": a spec is required");
    }
    if (spec.image() == null || !spec.image().contains("sha256:")) {
      throw new IllegalArgumentException(
          "desired service " + name + ": the image must be by digest, got " + spec.image());
    }
    if (spec.replicas() != null && spec.replicas() < 1) {
      throw new IllegalArgumentException(
          "desired service " + name + ": replicas must be 1 or more, got " + spec.replicas());
    }
    constraints = constraints == null ? List.of() : List.copyOf(constraints);
    dependsOn =
        dependsOn == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dependsOn));
    update = update == null ? UpdatePolicy.DEFAULT : update;
    rollback = rollback == null ? UpdatePolicy.DEFAULT : rollback;
  }

  /** A service with no constraints, no dependencies and the default policies. */
  public static DesiredService of(String name, ServiceSpec spec) {
    return new DesiredService(name, spec, List.of(), Map.of(), null, null);
  }

  /** Replicas over all hosts together. */
  public int replicas() {
    return spec.replicaCount();
  }

  public DesiredService withSpec(ServiceSpec value) {
    return new DesiredService(name, value, constraints, dependsOn, update, rollback);
  }

  public DesiredService withConstraints(List<String> value) {
    return new DesiredService(name, spec, value, dependsOn, update, rollback);
  }

  public DesiredService withDependsOn(Map<String, ComposeService.Dependency> value) {
    return new DesiredService(name, spec, constraints, value, update, rollback);
  }

  public DesiredService withUpdate(UpdatePolicy value) {
    return new DesiredService(name, spec, constraints, dependsOn, value, rollback);
  }

  public DesiredService withRollback(UpdatePolicy value) {
    return new DesiredService(name, spec, constraints, dependsOn, update, value);
  }
}
