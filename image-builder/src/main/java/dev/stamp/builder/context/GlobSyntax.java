package dev.stamp.builder.context;

/**
 * The syntax check of Go's filepath.Match: balanced, well-formed {@code [..]}, no trailing {@code
 * \}.
 */
final class GlobSyntax {

  private GlobSyntax() {}

  static void check(String pattern) {
    int i = 0;
    int n = pattern.length();
    while (i < n) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        if (i + 1 >= n) {
          throw bad(pattern);
        }
        i += 2;
      } else if (c == '[') {
        i = checkClass(pattern, i + 1);
      } else {
        i++;
      }
    }
  }

  /** Checks a class starting after {@code [}; returns the index after its {@code ]}. */
  private static int checkClass(String p, int i) {
    int n = p.length();
    if (i < n && p.charAt(i) == '^') {
      i++;
    }
    int ranges = 0;
    while (true) {
      if (i < n && p.charAt(i) == ']' && ranges > 0) {
        return i + 1;
      }
      int[] lo = escaped(p, i);
      i = lo[1];
      if (i < n && p.charAt(i) == '-') {
        i = escaped(p, i + 1)[1];
      }
      ranges++;
    }
  }

  /** One class character: {char, next index}; {@code -} and {@code ]} must be escaped. */
  private static int[] escaped(String p, int i) {
    int n = p.length();
    if (i >= n || p.charAt(i) == '-' || p.charAt(i) == ']') {
      throw bad(p);
    }
    if (p.charAt(i) == '\\') {
      i++;
      if (i >= n) {
        throw bad(p);
      }
    }
    return new int[] {p.charAt(i), i + 1};
  }

  private static IllegalArgumentException bad(String pattern) {
    return new IllegalArgumentException("syntax error in pattern \"" + pattern + "\"");
  }
}
