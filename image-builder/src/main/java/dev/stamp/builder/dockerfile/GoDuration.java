package dev.stamp.builder.dockerfile;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's time.ParseDuration: {@code 300ms}, {@code 1.5h}, {@code 1m30s}, {@code 0}. */
final class GoDuration {

  private static final Pattern WHOLE =
      Pattern.compile("[-+]?(?:(?:\\d+\\.?\\d*|\\.\\d+)[a-zµμ]+)+");
  private static final Pattern PART = Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)([a-zµμ]+)");
  private static final Map<String, Long> NANOS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "µs", 1_000L,
          "μs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private GoDuration() {}

  static Duration parse(String s) {
    if (s.equals("0") || s.equals("+0") || s.equals("-0")) {
      return Duration.ZERO;
    }
    if (!WHOLE.matcher(s).matches()) {
      throw new IllegalArgumentException("time: invalid duration \"" + s + "\"");
    }
    BigDecimal total = BigDecimal.ZERO;
    Matcher m = PART.matcher(s);
    while (m.find()) {
      Long unit = NANOS.get(m.group(2));
      if (unit == null) {
        throw new IllegalArgumentException(
            "time: unknown unit \"" + m.group(2) + "\" in duration \"" + s + "\"");
      }
      total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
    }
    Duration d = Duration.ofNanos(total.longValue());
    return s.startsWith("-") ? d.negated() : d;
  }
}
