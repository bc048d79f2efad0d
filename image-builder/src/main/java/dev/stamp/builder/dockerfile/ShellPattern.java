package dev.stamp.builder.dockerfile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The shell patterns of {@code ${v#p}}, {@code ${v%p}} and {@code ${v/p/r}}: {@code *} any string
 * (shortest or longest), {@code ?} one character, {@code \} escapes {@code * ? \}; no bracket
 * expressions, as in BuildKit.
 */
final class ShellPattern {

  private ShellPattern() {}

  /** Removes the shortest (or longest) prefix of {@code value} matching {@code pattern}. */
  static String trimPrefix(String pattern, String value, boolean greedy) {
    Matcher m = toRegex(pattern, greedy, true).matcher(value);
    return m.find() ? value.substring(m.end()) : value;
  }

  /** Removes the shortest (or longest) suffix: a prefix match on both strings reversed. */
  static String trimSuffix(String pattern, String value, boolean greedy) {
    String reversed = trimPrefix(reversePattern(pattern), reverse(value), greedy);
    return reverse(reversed);
  }

  /** Replaces the first (or every) longest match of {@code pattern} with {@code replacement}. */
  static String replace(String pattern, String value, String replacement, boolean all) {
    Matcher m = toRegex(pattern, true, false).matcher(value);
    String literal = Matcher.quoteReplacement(replacement);
    return all ? m.replaceAll(literal) : m.replaceFirst(literal);
  }

  static Pattern toRegex(String pattern, boolean greedy, boolean anchored) {
    int[] cps = pattern.codePoints().toArray();
    StringBuilder out = new StringBuilder(pattern.length() + 4);
    if (anchored) {
      out.append('^');
    }
    String star = greedy ? ".*" : ".*?";
    for (int i = 0; i < cps.length; i++) {
      int tok = cps[i];
      switch (tok) {
        case '*' -> {
          out.append(star);
          continue;
        }
        case '?' -> {
          out.append('.');
          continue;
        }
        case '\\' -> {
          int peek = i + 1 < cps.length ? cps[i + 1] : -1;
          if (peek == '}' || peek == '/') {
            continue;
          }
          if (peek != '*' && peek != '?' && peek != '\\') {
            throw new IllegalArgumentException(
                "invalid escape '\\" + (peek < 0 ? "" : new String(Character.toChars(peek))) + "'");
          }
          out.append('\\');
          tok = peek;
          i++;
        }
        case '[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$' -> out.append('\\');
        default -> {}
      }
      out.appendCodePoint(tok);
    }
    try {
      return Pattern.compile(out.toString());
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(e.getDescription(), e);
    }
  }

  /** Reverses a pattern keeping each escape before the character it escapes: a\*c → c\*a. */
  static String reversePattern(String pattern) {
    int[] cps = pattern.codePoints().toArray();
    int[] out = new int[cps.length];
    int last = cps.length - 1;
    for (int i = 0; i <= last; ) {
      int outIdx = last - i;
      if (cps[i] == '\\' && i != last) {
        out[outIdx - 1] = cps[i];
        out[outIdx] = cps[i + 1];
        i += 2;
      } else {
        out[outIdx] = cps[i];
        i++;
      }
    }
    return new String(out, 0, out.length);
  }

  private static String reverse(String s) {
    int[] cps = s.codePoints().toArray();
    int[] out = new int[cps.length];
    for (int i = 0; i < cps.length; i++) {
      out[cps.length - 1 - i] = cps[i];
    }
    return new String(out, 0, out.length);
  }
}
