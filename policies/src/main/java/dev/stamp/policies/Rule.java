package dev.stamp.policies;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A policy rule: a stable id ({@code STAMP-DF-007}), a title, a severity, a category, a description
 * that says how to fix what it finds, and the check. The check's type says what it looks at: a
 * Dockerfile, an image, or a deployment spec (which may look up the Dockerfiles and images of its
 * services through the {@link RuleContext}).
 */
public record Rule(
    String id,
    String title,
    Severity severity,
    Category category,
    String description,
    Check check) {

  /** {@code STAMP-XX-000}: two to four capitals for the area, three digits. */
  public static final Pattern ID = Pattern.compile("STAMP-[A-Z]{2,4}-\\d{3}");

  public Rule {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("rule id " + id + " does not read STAMP-XX-000");
    }
    if (title == null || title.isBlank() || description == null || description.isBlank()) {
      throw new IllegalArgumentException("rule " + id + " needs a title and a description");
    }
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(check, "check");
  }

  /** Receives a rule's findings: where and what. */
  @FunctionalInterface
  public interface Reporter {
    void report(Location where, String message);
  }

  /** The check of a rule, by what it looks at. */
  public sealed interface Check permits DockerfileCheck, ImageCheck, SpecCheck {}

  @FunctionalInterface
  public non-sealed interface DockerfileCheck extends Check {
    void check(DockerfileView dockerfile, RuleContext context, Reporter out);
  }

  @FunctionalInterface
  public non-sealed interface ImageCheck extends Check {
    void check(ImageSubject image, RuleContext context, Reporter out);
  }

  @FunctionalInterface
  public non-sealed interface SpecCheck extends Check {
    void check(SpecSubject spec, RuleContext context, Reporter out);
  }
}
