package dev.stamp.runtime.container;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as users type them: {@code 256m}, {@code 1g}, {@code 512k}, {@code 1048576}, {@code 2GB}.
 */
public final class ByteSize {

  private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)(i?b)?");

  private ByteSize() {}

  /** The size in bytes, or empty when {@code text} is not a size. */
  public static Optional<Long> parse(String text) {
    Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    double value = Double.parseDouble(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    double bytes = value * (1L << shift);
    if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
      return Optional.empty();
    }
    return Optional.of((long) bytes);
  }

  /** {@code bytes} as {@link #parse} reads it back, in the largest exact unit: {@code 256m}. */
  public static String format(long bytes) {
    String[] units = {"t", "g", "m", "k"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << shifts[i];
      if (bytes != 0 && bytes % unit == 0) {
        return (bytes / unit) + units[i];
      }
    }
    return Long.toString(bytes);
  }
}
