package dev.stamp.controller.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in the configuration: {@code 90s}, {@code 5m}, {@code 1h30m},
 * {@code 60h}, {@code 2d}, {@code 500ms}: one or more number-unit pairs, largest unit first.
 */
final class Durations {

  private static final Pattern WHOLE = Pattern.compile("([0-9]{1,9}(?:d|h|m|s|ms))+");
  private static final Pattern PART = Pattern.compile("([0-9]{1,9})(d|h|ms|m|s)");
  private static final String UNITS = "d h m s ms";

  private Durations() {}

  /**
   * @throws IllegalArgumentException with the expected form and the text
   */
  static Duration parse(String text) {
    String t = text == null ? "" : text.strip();
    if (!WHOLE.matcher(t).matches()) {
      throw new IllegalArgumentException(
          "expected a duration such as 90s, 5m, 1h30m or 60h, got \"" + text + "\"");
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int lastUnit = -1;
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2);
      int rank = java.util.Arrays.asList(UNITS.split(" ")).indexOf(unit);
      if (rank <= lastUnit) {
        throw new IllegalArgumentException(
            "expected a duration with each unit once, largest first (1h30m), got \"" + text + "\"");
      }
      lastUnit = rank;
      total =
          total.plus(
              switch (unit) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
              });
    }
    return total;
  }

  /** The shortest text {@link #parse} reads back as {@code d}: {@code 1h30m}, {@code 0s}. */
  static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long days = d.toDays();
    if (days > 0) {
      sb.append(days).append('d');
    }
    if (d.toHoursPart() > 0) {
      sb.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      sb.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0) {
      sb.append(d.toSecondsPart()).append('s');
    }
    if (d.toMillisPart() > 0) {
      sb.append(d.toMillisPart()).append("ms");
    }
    return sb.toString();
  }
}
