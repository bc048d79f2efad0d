package dev.stamp.controller.compose;

import java.util.function.Function;

/**
 * Compose's variable substitution: {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}} (unset or
 * empty), {@code ${VAR-default}} (unset), {@code ${VAR:?message}} / {@code ${VAR?message}} (an
 * error), {@code ${VAR:+alt}} / {@code ${VAR+alt}}, {@code $$} for a literal dollar. Defaults nest
 * ({@code ${A:-${B:-x}}}) and are substituted only when used. A {@code $} that starts none of these
 * stays as written.
 */
final class Interpolation {

  /** Why a template cannot be substituted (the caller adds the field path). */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  private Interpolation() {}

  /** {@code text} with its variables replaced; {@code env} returns null for an unset variable. */
  static String apply(String text, Function<String, String> env) throws Failure {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c != '$' || i + 1 == n) {
        out.append(c);
        i++;
        continue;
      }
      char next = text.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
      } else if (next == '{') {
        int end = closingBrace(text, i + 2);
        if (end < 0) {
          throw new Failure("invalid interpolation format in \"" + text + "\": no closing }");
        }
        out.append(braced(text.substring(i + 2, end), text, env));
        i = end + 1;
      } else if (nameStart(next)) {
        int j = i + 1;
        while (j < n && nameChar(text.charAt(j))) {
          j++;
        }
        String value = env.apply(text.substring(i + 1, j));
        out.append(value == null ? "" : value);
        i = j;
      } else {
        out.append('$');
        i++;
      }
    }
    return out.toString();
  }

  private static String braced(String body, String whole, Function<String, String> env)
      throws Failure {
    int j = 0;
    if (body.isEmpty() || !nameStart(body.charAt(0))) {
      throw new Failure(
          "invalid interpolation format in \""
              + whole
              + "\": \"${"
              + body
              + "}\" names no variable");
    }
    while (j < body.length() && nameChar(body.charAt(j))) {
      j++;
    }
    String name = body.substring(0, j);
    String rest = body.substring(j);
    String value = env.apply(name);
    boolean set = value != null;
    boolean nonEmpty = set && !value.isEmpty();
    if (rest.isEmpty()) {
      return set ? value : "";
    }
    if (rest.startsWith(":-")) {
      return nonEmpty ? value : apply(rest.substring(2), env);
    }
    if (rest.startsWith("-")) {
      return set ? value : apply(rest.substring(1), env);
    }
    if (rest.startsWith(":?") || rest.startsWith("?")) {
      boolean colon = rest.startsWith(":");
      if (colon ? nonEmpty : set) {
        return value;
      }
      String message = apply(rest.substring(colon ? 2 : 1), env);
      throw new Failure(
          "required variable "
              + name
              + " is missing a value"
              + (colon && set ? " (it is empty)" : "")
              + (message.isEmpty() ? "" : ": " + message));
    }
    if (rest.startsWith(":+")) {
      return nonEmpty ? apply(rest.substring(2), env) : "";
    }
    if (rest.startsWith("+")) {
      return set ? apply(rest.substring(1), env) : "";
    }
    throw new Failure(
        "invalid interpolation format in \""
            + whole
            + "\": \"${"
            + body
            + "}\" (expected ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} or ${VAR?error})");
  }

  /** Index of the } closing a ${ whose body starts at {@code from}, or -1. */
  private static int closingBrace(String s, int from) {
    int depth = 0;
    for (int k = from; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '$' && k + 1 < s.length()) {
        char d = s.charAt(k + 1);
        if (d == '$') {
          k++;
        } else if (d == '{') {
          depth++;
          k++;
        }
      } else if (c == '}') {
        if (depth == 0) {
          return k;
        }
        depth--;
      }
    }
    return -1;
  }

  static boolean nameStart(char c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  static boolean nameChar(char c) {
    return nameStart(c) || (c >= '0' && c <= '9');
  }
}
