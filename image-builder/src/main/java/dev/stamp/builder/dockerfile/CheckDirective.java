package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code # check=skip=Rule1,Rule2;error=true}: which lint checks to skip ({@code all} for every
 * one) and whether a failed check fails the build.
 */
public record CheckDirective(List<String> skip, boolean error) {

  public CheckDirective {
    skip = List.copyOf(skip);
  }

  /** Parses the directive's value; the message of the exception names the bad part. */
  public static CheckDirective parse(String value) {
    List<String> skip = new ArrayList<>();
    boolean error = false;
    for (String part : value.split(";")) {
      String item = part.strip();
      if (item.isEmpty()) {
        continue;
      }
      int eq = item.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid check directive part \"" + item + "\"");
      }
      String key = item.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String val = item.substring(eq + 1).strip();
      switch (key) {
        case "skip" -> {
          for (String rule : val.split(",")) {
            if (!rule.isBlank()) {
              skip.add(rule.strip());
            }
          }
        }
        case "error" -> {
          String lower = val.toLowerCase(Locale.ROOT);
          if (!lower.equals("true") && !lower.equals("false")) {
            throw new IllegalArgumentException("check directive error must be true or false");
          }
          error = lower.equals("true");
        }
        default ->
            throw new IllegalArgumentException("unknown key \"" + key + "\" in check directive");
      }
    }
    return new CheckDirective(skip, error);
  }

  /** Whether the named rule is skipped. */
  public boolean skips(String rule) {
    return skip.stream().anyMatch(s -> s.equalsIgnoreCase("all") || s.equalsIgnoreCase(rule));
  }
}
