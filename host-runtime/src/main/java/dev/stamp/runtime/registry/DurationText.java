package dev.stamp.runtime.registry;

import java.time.Duration;

/**
 * Durations as text for messages: {@code 1.5s}, {@code 250ms} (the agent API's {@code Durations}
 * are ISO-8601 on the wire).
 */
final class DurationText {

  private DurationText() {}

  static String describe(Duration d) {
    return describe(d.toNanos());
  }

  static String describe(long nanos) {
    long millis = nanos / 1_000_000;
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
