package dev.stamp.builder.dockerfile;

import java.util.Optional;

/**
 * The parser directives at the top of a Dockerfile ({@code # syntax=…}, {@code # escape=…}, {@code
 * # check=…}). Stamp records {@code syntax} but always parses with its own front end; {@code
 * escape} is {@code \} unless set to a backtick.
 */
public record ParserDirectives(
    Optional<String> syntax, char escape, Optional<CheckDirective> check) {

  public static final char DEFAULT_ESCAPE = '\\';

  public static ParserDirectives defaults() {
    return new ParserDirectives(Optional.empty(), DEFAULT_ESCAPE, Optional.empty());
  }

  public ParserDirectives {
    if (escape != '\\' && escape != '`') {
      throw new IllegalArgumentException("escape token must be \\ or `, not " + escape);
    }
  }

  ParserDirectives withSyntax(String value) {
    return new ParserDirectives(Optional.of(value), escape, check);
  }

  ParserDirectives withEscape(char value) {
    return new ParserDirectives(syntax, value, check);
  }

  ParserDirectives withCheck(CheckDirective value) {
    return new ParserDirectives(syntax, escape, Optional.of(value));
  }
}
