package dev.stamp.controller.config;

import java.util.regex.Pattern;

/** The names users give repositories and hosts: they end up in paths, URLs and metrics. */
final class Names {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

  private Names() {}

  /** Why {@code name} cannot name a repository or host, or null when it can. */
  static String problem(String name) {
    if (name == null || NAME.matcher(name).matches()) {
      return null;
    }
    return "expected a name of lowercase letters, digits, '_', '.' and '-' starting with a letter"
        + " or digit (at most 63 characters), got \""
        + name
        + "\"";
  }

  static String require(String name, String what) {
    if (name == null) {
      throw new IllegalArgumentException(what + " name is required");
    }
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(what + " name: " + problem);
    }
    return name;
  }
}
