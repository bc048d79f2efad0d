package dev.stamp.policies;

import java.util.Locale;

/** What a rule protects. */
public enum Category {
  /** The build refuses the file. */
  BUILD,
  SECURITY,
  RELIABILITY,
  REPRODUCIBILITY,
  MAINTAINABILITY;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
