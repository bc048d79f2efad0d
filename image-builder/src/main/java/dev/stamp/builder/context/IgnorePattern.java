package dev.stamp.builder.context;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One line of a .dockerignore, compiled the way moby's patternmatcher does: {@code *} and {@code ?}
 * never cross {@code /}, {@code **} crosses any number of directories, {@code [..]} classes and
 * {@code \} escapes as in Go's filepath.Match; a leading {@code !} makes it an exception.
 */
public final class IgnorePattern {

  private enum MatchType {
    EXACT,
    PREFIX,
    SUFFIX,
    REGEXP
  }

  private final String text;
  private final boolean exclusion;
  private final List<String> dirs;
  private final MatchType type;
  private final Pattern regexp;

  private IgnorePattern(String text, boolean exclusion) {
    this.text = text;
    this.exclusion = exclusion;
    this.dirs = List.of(text.split("/", -1));
    MatchType detected = MatchType.EXACT;
    StringBuilder re = new StringBuilder("^");
    int[] cps = text.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) {
      int ch = cps[i];
      if (ch == '*') {
        if (i + 1 < cps.length && cps[i + 1] == '*') {
          boolean first = i == 0;
          i++;
          if (i + 1 < cps.length && cps[i + 1] == '/') {
            i++;
          }
          if (i + 1 >= cps.length) {
            if (detected == MatchType.EXACT) {
              detected = MatchType.PREFIX;
            } else {
              re.append(".*");
              detected = MatchType.REGEXP;
            }
          } else {
            re.append("(.*/)?");
            detected = MatchType.REGEXP;
          }
          if (first) {
            detected = MatchType.SUFFIX;
          }
        } else {
          re.append("[^/]*");
          detected = MatchType.REGEXP;
        }
      } else if (ch == '?') {
        re.append("[^/]");
        detected = MatchType.REGEXP;
      } else if (ch == '\\') {
        if (i + 1 < cps.length) {
          i++;
          re.append(Pattern.quote(new String(Character.toChars(cps[i]))));
          detected = MatchType.REGEXP;
        } else {
          re.append("\\\\");
        }
      } else if (ch == '[' || ch == ']') {
        re.appendCodePoint(ch);
        detected = MatchType.REGEXP;
      } else if (".+()|{}$".indexOf(ch) >= 0) {
        re.append('\\').appendCodePoint(ch);
      } else {
        re.appendCodePoint(ch);
      }
    }
    this.type = detected;
    this.regexp = detected == MatchType.REGEXP ? Pattern.compile(re.append('$').toString()) : null;
  }

  /**
   * Compiles one cleaned pattern ({@code !} prefix for an exception). The message of the exception
   * says what is wrong.
   */
  public static IgnorePattern compile(String pattern) {
    boolean exclusion = pattern.startsWith("!");
    String body = exclusion ? pattern.substring(1) : pattern;
    if (exclusion && body.isEmpty()) {
      throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
    }
    GlobSyntax.check(body);
    return new IgnorePattern(body, exclusion);
  }

  /** The pattern without {@code !}. */
  public String text() {
    return text;
  }

  /** Whether this is an exception ({@code !pattern}) that re-includes what it matches. */
  public boolean exclusion() {
    return exclusion;
  }

  List<String> dirs() {
    return dirs;
  }

  /** Whether the slash-separated, cleaned relative {@code path} matches. */
  public boolean matches(String path) {
    return switch (type) {
      case EXACT -> path.equals(text);
      case PREFIX -> path.startsWith(text.substring(0, text.length() - 2));
      case SUFFIX -> {
        String suffix = text.substring(2);
        yield path.endsWith(suffix)
            || (!suffix.isEmpty() && suffix.charAt(0) == '/' && path.equals(suffix.substring(1)));
      }
      case REGEXP -> regexp.matcher(path).matches();
    };
  }

  @Override
  public String toString() {
    return (exclusion ? "!" : "") + text;
  }
}
