package dev.stamp.controller.compose;

import dev.stamp.controller.yaml.Problems;
import dev.stamp.controller.yaml.YamlNode;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of {@link YamlNode}s: each returns null and records an error naming the path and what
 * was expected when the node has the wrong type. Strings at typed paths are cast, as Compose casts
 * the result of interpolation ({@code replicas: $N}).
 */
final class Values {

  private final Problems problems;

  Values(Problems problems) {
    this.problems = problems;
  }

  Problems problems() {
    return problems;
  }

  /** Warns about every key of {@code m} outside {@code known}; {@code x-} keys are silent. */
  void onlyKnown(YamlNode.Mapping m, String path, Set<String> known, Set<String> outsideSubset) {
    m.keys()
        .forEach(
            (key, at) -> {
              if (known.contains(key) || key.startsWith("x-")) {
                return;
              }
              String where = path.isEmpty() ? key : path + "." + key;
              problems.warn(
                  at,
                  where,
                  outsideSubset.contains(key)
                      ? "not in Stamp's Compose subset, ignored"
                      : "unknown key, ignored");
            });
  }

  YamlNode.Mapping mapping(YamlNode n, String path, String what) {
    if (n == null || isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Mapping m) {
      return m;
    }
    problems.error(n, path, "expected " + what + ", got " + n.describe());
    return null;
  }

  static boolean isNull(YamlNode n) {
    return n instanceof YamlNode.Scalar s && s.isNull();
  }

  String string(YamlNode n, String path) {
    if (n == null || isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s) {
      return s.text();
    }
    problems.error(n, path, "expected a string, got " + n.describe());
    return null;
  }

  /** A string from a fixed set of values. */
  String oneOf(YamlNode n, String path, List<String> allowed) {
    String s = string(n, path);
    if (s != null && !allowed.contains(s)) {
      problems.error(
          n, path, "expected one of " + String.join(", ", allowed) + ", got \"" + s + "\"");
      return null;
    }
    return s;
  }

  Long integer(YamlNode n, String path) {
    if (n == null || isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s
        && (s.type() == YamlNode.Type.INT || s.type() == YamlNode.Type.STRING)) {
      try {
        return parseInteger(s.text().strip());
      } catch (NumberFormatException | ArithmeticException e) {
        // fall through
      }
    }
    problems.error(n, path, "expected an integer, got " + n.describe());
    return null;
  }

  Integer nonNegativeInt(YamlNode n, String path) {
    Long v = integer(n, path);
    if (v == null) {
      return null;
    }
    if (v < 0 || v > Integer.MAX_VALUE) {
      problems.error(n, path, "expected a number of at least 0, got " + v);
      return null;
    }
    return v.intValue();
  }

  static long parseInteger(String text) {
    String t = text.replace("_", "");
    boolean negative = t.startsWith("-");
    if (t.startsWith("-") || t.startsWith("+")) {
      t = t.substring(1);
    }
    BigInteger v;
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.startsWith("0x")) {
      v = new BigInteger(t.substring(2), 16);
    } else if (lower.startsWith("0o")) {
      v = new BigInteger(t.substring(2), 8);
    } else {
      v = new BigInteger(t);
    }
    return (negative ? v.negate() : v).longValueExact();
  }

  Double number(YamlNode n, String path) {
    if (n == null || isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s && s.type() != YamlNode.Type.BOOL) {
      try {
        double d = Double.parseDouble(s.text().strip());
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    problems.error(n, path, "expected a number, got " + n.describe());
    return null;
  }

  Boolean bool(YamlNode n, String path) {
    if (n == null || isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s
        && (s.type() == YamlNode.Type.BOOL || s.type() == YamlNode.Type.STRING)) {
      switch (s.text().strip().toLowerCase(Locale.ROOT)) {
        case "true":
          return true;
        case "false":
          return false;
        default:
          break;
      }
    }
    problems.error(n, path, "expected true or false, got " + n.describe());
    return null;
  }

  Duration duration(YamlNode n, String path) {
    if (n == null || isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s && s.type() != YamlNode.Type.BOOL) {
      try {
        return ComposeSyntax.duration(s.text());
      } catch (IllegalArgumentException e) {
        problems.error(n, path, e.getMessage());
        return null;
      }
    }
    problems.error(n, path, "expected a duration such as 10s or 1m30s, got " + n.describe());
    return null;
  }

  Long bytes(YamlNode n, String path) {
    if (n == null || isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s && s.type() != YamlNode.Type.BOOL) {
      try {
        return ComposeSyntax.bytes(s.text());
      } catch (IllegalArgumentException e) {
        problems.error(n, path, e.getMessage());
        return null;
      }
    }
    problems.error(n, path, "expected a size such as 512m or 1g, got " + n.describe());
    return null;
  }

  /** A list of strings; with {@code orString}, one string is a one-element list. */
  List<String> strings(YamlNode n, String path, boolean orString) {
    if (n == null || isNull(n)) {
      return null;
    }
    if (orString && n instanceof YamlNode.Scalar s) {
      return List.of(s.text());
    }
    if (!(n instanceof YamlNode.Sequence seq)) {
      problems.error(n, path, "expected a list of strings, got " + n.describe());
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < seq.items().size(); i++) {
      String s = string(seq.items().get(i), path + "[" + i + "]");
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  /** A node as plain Java values (for {@code x-} extensions): String, Long, Double, Boolean, …. */
  static Object plain(YamlNode n) {
    if (n instanceof YamlNode.Scalar s) {
      return switch (s.type()) {
        case NULL -> null;
        case BOOL -> Boolean.parseBoolean(s.text().toLowerCase(Locale.ROOT));
        case INT -> {
          try {
            yield parseInteger(s.text());
          } catch (ArithmeticException | NumberFormatException e) {
            yield s.text();
          }
        }
        case FLOAT -> {
          try {
            yield Double.parseDouble(s.text());
          } catch (NumberFormatException e) {
            yield s.text();
          }
        }
        case STRING -> s.text();
      };
    }
    if (n instanceof YamlNode.Sequence seq) {
      List<Object> out = new ArrayList<>();
      seq.items().forEach(item -> out.add(plain(item)));
      return java.util.Collections.unmodifiableList(out);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    ((YamlNode.Mapping) n).entries().forEach((k, v) -> out.put(k, plain(v)));
    return java.util.Collections.unmodifiableMap(out);
  }
}
