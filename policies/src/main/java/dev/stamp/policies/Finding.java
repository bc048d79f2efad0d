package dev.stamp.policies;

import java.util.Objects;
import java.util.Optional;

/**
 * One rule's complaint about one place. {@code mode} is the rule's effective mode; {@code waiver}
 * is the waiver that covers it (then it blocks nothing and is counted apart); {@code note} says
 * e.g. that a waiver expired and stopped waiving. {@code app} and {@code service} are the subject's
 * scope, used to match waivers.
 */
public record Finding(
    String ruleId,
    Severity severity,
    Category category,
    Mode mode,
    Location location,
    String message,
    Optional<String> app,
    Optional<String> service,
    Optional<Waiver> waiver,
    Optional<String> note) {

  public Finding {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
    app = app == null ? Optional.empty() : app;
    service = service == null ? Optional.empty() : service;
    waiver = waiver == null ? Optional.empty() : waiver;
    note = note == null ? Optional.empty() : note;
  }

  public boolean waived() {
    return waiver.isPresent();
  }

  /** An enforced, unwaived finding: it blocks the build or deploy. */
  public boolean blocking() {
    return mode == Mode.ENFORCE && waiver.isEmpty();
  }

  /** A finding that fails {@code --fail-on-warn}: unwaived, not blocking, not merely info. */
  public boolean warning() {
    return waiver.isEmpty() && mode == Mode.WARN && severity != Severity.INFO;
  }

  Finding withWaiver(Waiver w) {
    return new Finding(
        ruleId, severity, category, mode, location, message, app, service, Optional.of(w), note);
  }

  Finding withNote(String text) {
    return new Finding(
        ruleId,
        severity,
        category,
        mode,
        location,
        message,
        app,
        service,
        waiver,
        Optional.of(text));
  }
}
