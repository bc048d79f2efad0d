package dev.stamp.policies;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Permission to ship despite a rule's findings, with a reason and an optional last valid day.
 * Scoped: each of {@code app}, {@code service}, {@code file} that is set must match the finding; an
 * inline waiver ({@code # stamp:ignore=ID reason}) is scoped to its Dockerfile's next instruction.
 * {@code origin} says where it was written ({@code .stamp/policy.yaml: waivers[0]} or {@code
 * Dockerfile:4}).
 */
public record Waiver(
    String rule,
    Optional<String> app,
    Optional<String> service,
    Optional<String> file,
    String reason,
    Optional<LocalDate> expires,
    String origin) {

  public Waiver {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(origin, "origin");
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException(origin + ": a waiver needs a reason");
    }
    app = app == null ? Optional.empty() : app;
    service = service == null ? Optional.empty() : service;
    file = file == null ? Optional.empty() : file;
    expires = expires == null ? Optional.empty() : expires;
  }

  /** Whether the waiver covers {@code finding}'s rule and scope (expiry not considered). */
  public boolean covers(Finding finding) {
    return rule.equals(finding.ruleId())
        && app.map(a -> finding.app().map(a::equals).orElse(false)).orElse(true)
        && service.map(s -> finding.service().map(s::equals).orElse(false)).orElse(true)
        && file.map(f -> sameFile(f, finding.location().file())).orElse(true);
  }

  /** Whether the waiver no longer applies on {@code today} (it is valid through its expiry day). */
  public boolean expiredOn(LocalDate today) {
    return expires.map(today::isAfter).orElse(false);
  }

  private static boolean sameFile(String waived, String actual) {
    String a = actual.replace('\\', '/');
    String w = waived.replace('\\', '/');
    return a.equals(w) || a.endsWith("/" + w) || w.endsWith("/" + a);
  }
}
