package dev.stamp.controller.config;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.yaml.Problems;
import dev.stamp.controller.yaml.YamlNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Typed reads of the configuration's {@link YamlNode}s. Each returns null for an absent or null
 * node, and null with an error naming the path and what was expected for a node of the wrong kind.
 * Paths resolve against the configuration file's directory.
 */
final class Fields {

  private final Problems problems;
  private final Path baseDir;

  Fields(Problems problems, Path baseDir) {
    this.problems = problems;
    this.baseDir = baseDir;
  }

  Problems problems() {
    return problems;
  }

  /** How many errors so far: a part added none when the count did not move. */
  int errorCount() {
    return problems.errorCount();
  }

  static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String index(String path, int i) {
    return path + "[" + i + "]";
  }

  static boolean isNull(YamlNode n) {
    return n == null || n instanceof YamlNode.Scalar s && s.isNull();
  }

  void error(YamlNode at, String path, String message) {
    problems.error(at, path, message);
  }

  void warn(YamlNode at, String path, String message) {
    problems.warn(at, path, message);
  }

  /** An error that {@code key} of {@code parent} (which may itself be absent) is required. */
  void missing(YamlNode.Mapping parent, String path, String key, String expected) {
    problems.error(parent, child(path, key), "required: " + expected);
  }

  /** Warns about each key of {@code m} outside {@code known} ({@code x-} keys are for anchors). */
  void onlyKnown(YamlNode.Mapping m, String path, Set<String> known) {
    m.keys()
        .forEach(
            (key, at) -> {
              if (known.contains(key) || key.startsWith("x-")) {
                return;
              }
              String hint =
                  known.stream()
                      .filter(k -> close(k, key))
                      .findFirst()
                      .map(k -> "; did you mean " + k + "?")
                      .orElse("");
              problems.warn(at, child(path, key), "unknown key, ignored" + hint);
            });
  }

  YamlNode.Mapping mapping(YamlNode n, String path, String what) {
    if (isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Mapping m) {
      return m;
    }
    error(n, path, "expected " + what + ", got " + n.describe());
    return null;
  }

  List<YamlNode> list(YamlNode n, String path, String what) {
    if (isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Sequence s) {
      return s.items();
    }
    error(n, path, "expected " + what + ", got " + n.describe());
    return null;
  }

  String string(YamlNode n, String path) {
    if (isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s) {
      return s.text();
    }
    error(n, path, "expected a string, got " + n.describe());
    return null;
  }

  Boolean bool(YamlNode n, String path) {
    if (isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s && s.type() == YamlNode.Type.BOOL) {
      return s.text().equalsIgnoreCase("true");
    }
    error(n, path, "expected true or false, got " + n.describe());
    return null;
  }

  /** An integer of at least {@code min}. */
  Integer integer(YamlNode n, String path, int min) {
    if (isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s && s.type() == YamlNode.Type.INT) {
      try {
        int v = Integer.parseInt(s.text());
        if (v >= min) {
          return v;
        }
      } catch (NumberFormatException e) {
        // out of range or 0x…: reported below
      }
      error(n, path, "expected an integer of at least " + min + ", got " + s.text());
      return null;
    }
    error(n, path, "expected an integer, got " + n.describe());
    return null;
  }

  Duration duration(YamlNode n, String path) {
    if (isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s && s.type() != YamlNode.Type.BOOL) {
      try {
        return Durations.parse(s.text());
      } catch (IllegalArgumentException e) {
        error(n, path, e.getMessage());
        return null;
      }
    }
    error(n, path, "expected a duration such as 90s, 5m, 1h30m or 60h, got " + n.describe());
    return null;
  }

  /** A file or directory path, relative ones resolved against the configuration's directory. */
  Path path(YamlNode n, String path) {
    String text = string(n, path);
    if (text == null) {
      return null;
    }
    if (text.isBlank()) {
      error(n, path, "expected a file path, got \"" + text + "\"");
      return null;
    }
    try {
      return baseDir.resolve(Path.of(text)).normalize();
    } catch (InvalidPathException e) {
      error(n, path, "expected a file path, got \"" + text + "\": " + e.getReason());
      return null;
    }
  }

  SecretFile secret(YamlNode n, String path) {
    Path p = path(n, path);
    return p == null ? null : new SecretFile(p);
  }

  static YamlNode get(YamlNode.Mapping m, String key) {
    return m == null ? null : m.entries().get(key);
  }

  static <T> T or(T value, T otherwise) {
    return value == null ? otherwise : value;
  }

  /** A list item that must be a mapping (null is an error here, not "absent"). */
  YamlNode.Mapping item(YamlNode n, String path, String what) {
    if (n instanceof YamlNode.Mapping m) {
      return m;
    }
    error(n, path, "expected " + what + ", got " + n.describe());
    return null;
  }

  String name(YamlNode.Mapping m, String path) {
    String name = string(get(m, "name"), child(path, "name"));
    if (name == null && isNull(get(m, "name"))) {
      missing(m, path, "name", "a unique name");
    }
    check(get(m, "name"), child(path, "name"), Names.problem(name));
    return name;
  }

  /** Records an error when a repository's or host's name was given before. */
  void unique(YamlNode.Mapping m, String path, Map<String, String> seen) {
    if (get(m, "name") instanceof YamlNode.Scalar s && !s.isNull()) {
      String first = seen.putIfAbsent(s.text(), path);
      if (first != null) {
        error(
            s,
            child(path, "name"),
            "\"" + s.text() + "\" is already the name of " + first + "; names must be unique");
      }
    }
  }

  void check(YamlNode at, String path, String problem) {
    if (problem != null) {
      error(at, path, problem);
    }
  }

  HostPort hostPort(YamlNode n, String path, HostPort otherwise) {
    String text = string(n, path);
    if (text == null) {
      return isNull(n) ? otherwise : null;
    }
    try {
      return HostPort.parse(text);
    } catch (ControllerException e) {
      error(n, path, e.getMessage());
      return null;
    }
  }

  List<String> strings(YamlNode n, String path) {
    if (n instanceof YamlNode.Scalar s && !s.isNull()) {
      return List.of(s.text());
    }
    List<YamlNode> items = list(n, path, "a list of strings");
    if (items == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String s = string(items.get(i), index(path, i));
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  /** An enum constant named in lower case ({@code rolled_back}), or {@code otherwise} if absent. */
  <E extends Enum<E>> E oneOf(YamlNode n, String path, Class<E> type, E otherwise) {
    String text = string(n, path);
    if (text == null) {
      return isNull(n) ? otherwise : null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(text)) {
        return e;
      }
    }
    List<String> names =
        java.util.Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT))
            .toList();
    error(n, path, "expected one of " + String.join(", ", names) + ", got \"" + text + "\"");
    return null;
  }

  /**
   * {@code value.get()} when no error was recorded since {@code mark}; a constructor's refusal
   * becomes an error at {@code at} (the readers above check first, so this is a safety net).
   */
  <T> T build(YamlNode at, String path, int mark, Supplier<T> value) {
    if (problems.errorCount() > mark) {
      return null;
    }
    try {
      return value.get();
    } catch (IllegalArgumentException e) {
      error(at, path, e.getMessage());
      return null;
    }
  }

  /** Whether {@code a} and {@code b} differ only in case or by one edit: a likely typo. */
  static boolean close(String a, String b) {
    String x = a.toLowerCase(Locale.ROOT);
    String y = b.toLowerCase(Locale.ROOT);
    int[] previous = new int[y.length() + 1];
    int[] current = new int[y.length() + 1];
    for (int j = 0; j <= y.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= x.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= y.length(); j++) {
        int substitute = previous[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[y.length()] <= 1;
  }
}
