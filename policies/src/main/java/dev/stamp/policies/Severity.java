package dev.stamp.policies;

import java.util.Locale;

/** How bad a finding is, as a rule declares it. */
public enum Severity {
  ERROR,
  WARNING,
  INFO;

  /** Lower case, as written in outputs ({@code error}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
