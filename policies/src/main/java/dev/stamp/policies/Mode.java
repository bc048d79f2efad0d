package dev.stamp.policies;

import java.util.Locale;
import java.util.Optional;

/**
 * What a rule's findings do: {@code ENFORCE} blocks (exit 2, the controller refuses the commit),
 * {@code WARN} reports, {@code OFF} does not run the rule. Ordered from weakest to strongest, so an
 * organisation's mode is a floor a repository can only raise.
 */
public enum Mode {
  OFF,
  WARN,
  ENFORCE;

  /** The mode a rule has when no configuration names it. */
  public static Mode defaultFor(Severity severity) {
    return severity == Severity.ERROR ? ENFORCE : WARN;
  }

  /** {@code enforce}, {@code warn} or {@code off} (any case); empty for anything else. */
  public static Optional<Mode> parse(String text) {
    for (Mode m : values()) {
      if (m.label().equalsIgnoreCase(text.strip())) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean weakerThan(Mode other) {
    return compareTo(other) < 0;
  }
}
