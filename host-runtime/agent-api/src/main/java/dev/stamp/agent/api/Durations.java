package dev.stamp.agent.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/** Durations on the wire are ISO-8601 ({@code PT0.2S}, {@code PT1M30S}): no parser of our own. */
public final class Durations {

  private Durations() {}

  /**
   * The duration {@code text} names, or empty when it is absent; a problem is added for text that
   * is not ISO-8601, or is negative, or is longer than {@code max}.
   */
  public static Optional<Duration> check(
      String field, String text, Duration max, List<Problem> problems) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      Duration d = Duration.parse(text);
      if (d.isNegative()) {
        problems.add(new Problem(field, "must not be negative, got " + text));
        return Optional.empty();
      }
      if (d.compareTo(max) > 0) {
        problems.add(new Problem(field, "at most " + max + ", got " + text));
        return Optional.empty();
      }
      return Optional.of(d);
    } catch (DateTimeParseException e) {
      problems.add(
          new Problem(field, "expected an ISO-8601 duration such as PT5S or PT0.2S, got " + text));
      return Optional.empty();
    }
  }
}
