package dev.stamp.runtime.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge (RFC 7235): a scheme ({@code Bearer}, {@code Basic}) and
 * its parameters ({@code realm}, {@code service}, {@code scope}).
 */
record Challenge(String scheme, Map<String, String> params) {

  Challenge {
    params = Map.copyOf(params);
  }

  boolean isBearer() {
    return scheme.equalsIgnoreCase("bearer");
  }

  boolean isBasic() {
    return scheme.equalsIgnoreCase("basic");
  }

  String param(String name) {
    return params.get(name);
  }

  /** The most useful challenge among {@code headers}: Bearer first, then Basic. */
  static Optional<Challenge> pick(List<String> headers) {
    Challenge basic = null;
    for (String header : headers) {
      for (Challenge c : parseAll(header)) {
        if (c.isBearer()) {
          return Optional.of(c);
        }
        if (c.isBasic() && basic == null) {
          basic = c;
        }
      }
    }
    return Optional.ofNullable(basic);
  }

  /** All challenges in one header value (a header may list several, comma-separated). */
  static List<Challenge> parseAll(String header) {
    List<Challenge> out = new java.util.ArrayList<>();
    Parser p = new Parser(header);
    while (p.skipSpaceAndCommas()) {
      String scheme = p.token();
      if (scheme.isEmpty()) {
        break;
      }
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        int mark = p.pos;
        p.skipSpaceAndCommas();
        String name = p.token();
        p.skipSpace();
        if (name.isEmpty() || !p.eat('=')) {
          p.pos = mark;
          break;
        }
        p.skipSpace();
        params.put(name.toLowerCase(Locale.ROOT), p.value());
      }
      out.add(new Challenge(scheme, params));
    }
    return out;
  }

  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s == null ? "" : s;
    }

    boolean skipSpaceAndCommas() {
      while (pos < s.length() && (s.charAt(pos) == ',' || Character.isWhitespace(s.charAt(pos)))) {
        pos++;
      }
      return pos < s.length();
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    boolean eat(char c) {
      if (pos < s.length() && s.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    String token() {
      int start = pos;
      while (pos < s.length() && isTokenChar(s.charAt(pos))) {
        pos++;
      }
      return s.substring(start, pos);
    }

    String value() {
      if (!eat('"')) {
        return token();
      }
      StringBuilder b = new StringBuilder();
      while (pos < s.length() && s.charAt(pos) != '"') {
        char c = s.charAt(pos++);
        if (c == '\\' && pos < s.length()) {
          c = s.charAt(pos++);
        }
        b.append(c);
      }
      eat('"');
      return b.toString();
    }

    private static boolean isTokenChar(char c) {
      return c > ' ' && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0 || c == '/' || c == ':';
    }
  }
}
