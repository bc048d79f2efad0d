package dev.stamp.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Docker's human forms: "3 weeks ago", "4.26MB". */
final class Humanize {

  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

  private Humanize() {}

  /** "N units ago" for an RFC 3339 timestamp; "N/A" when absent or unreadable. */
  static String since(String rfc3339, Instant now) {
    if (rfc3339 == null) {
      return "N/A";
    }
    try {
      return duration(Duration.between(Instant.parse(rfc3339), now)) + " ago";
    } catch (DateTimeParseException e) {
      return "N/A";
    }
  }

  /** go-units HumanDuration. */
  static String duration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < 1) {
      return "Less than a second";
    }
    if (seconds == 1) {
      return "1 second";
    }
    if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = d.toMinutes();
    if (minutes == 1) {
      return "About a minute";
    }
    if (minutes < 60) {
      return minutes + " minutes";
    }
    long hours = Math.round(d.toSeconds() / 3600.0);
    if (hours == 1) {
      return "About an hour";
    }
    if (hours < 48) {
      return hours + " hours";
    }
    if (hours < 24 * 7 * 2) {
      return hours / 24 + " days";
    }
    if (hours < 24 * 30 * 2) {
      return hours / 24 / 7 + " weeks";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 / 30 + " months";
    }
    return hours / 24 / 365 + " years";
  }

  /** Decimal units, three significant digits: 4.26MB, 812kB, 0B. */
  static String size(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    String number =
        new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    return number + UNITS[unit];
  }
}
