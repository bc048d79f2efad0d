package dev.stamp.builder.dockerfile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How each instruction's argument text is split (BuildKit's line parsers). Every argument keeps its
 * offset in the text so errors can point at it.
 */
final class ArgParsers {

  /** Whitespace that separates arguments (no newline, as in BuildKit). */
  static final Pattern WHITESPACE = Pattern.compile("[\t\u000b\f\r ]+");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static final String NOT_STRING_ARRAY =
      "when using JSON array syntax, arrays must be comprised of strings only";

  private ArgParsers() {}

  /** Split arguments: texts, their offsets in the instruction text, and the exec-form flag. */
  record Parsed(List<String> args, List<Integer> offsets, boolean json) {
    static final Parsed EMPTY = new Parsed(List.of(), List.of(), false);

    static Parsed one(String arg, int offset) {
      return new Parsed(List.of(arg), List.of(offset), false);
    }
  }

  /** A problem in the argument text at {@code offset}. */
  static final class ArgException extends Exception {
    private static final long serialVersionUID = 1L;
    final int offset;

    ArgException(String message, int offset) {
      super(message);
      this.offset = offset;
    }
  }

  /** FROM, EXPOSE: whitespace-separated words. */
  static Parsed whitespaceDelimited(String rest, int offset) {
    if (rest.isEmpty()) {
      return Parsed.EMPTY;
    }
    List<String> args = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    Matcher m = WHITESPACE.matcher(rest);
    int start = 0;
    while (m.find()) {
      args.add(rest.substring(start, m.start()));
      offsets.add(offset + start);
      start = m.end();
    }
    args.add(rest.substring(start));
    offsets.add(offset + start);
    return new Parsed(args, offsets, false);
  }

  /** MAINTAINER, USER, WORKDIR, STOPSIGNAL: the rest of the line as one argument. */
  static Parsed string(String rest, int offset) {
    return rest.isEmpty() ? Parsed.EMPTY : Parsed.one(rest, offset);
  }

  /** RUN, CMD, ENTRYPOINT, SHELL: a JSON array of strings, else the text as one argument. */
  static Parsed maybeJson(String rest, int offset) throws ArgException {
    if (rest.isEmpty()) {
      return Parsed.EMPTY;
    }
    Parsed json = json(rest, offset);
    return json != null ? json : Parsed.one(rest, offset);
  }

  /** ADD, COPY, VOLUME: a JSON array of strings, else whitespace-separated words. */
  static Parsed maybeJsonToList(String rest, int offset) throws ArgException {
    Parsed json = json(rest, offset);
    return json != null ? json : whitespaceDelimited(rest, offset);
  }

  /** HEALTHCHECK: a type word (CMD, NONE) then a command like RUN's. */
  static Parsed healthcheck(String rest, int offset) throws ArgException {
    int sep = 0;
    while (sep < rest.length() && !ShellLexer.isSpace(rest.charAt(sep))) {
      sep++;
    }
    int next = sep;
    while (next < rest.length() && ShellLexer.isSpace(rest.charAt(next))) {
      next++;
    }
    if (sep == 0) {
      return Parsed.EMPTY;
    }
    Parsed cmd = maybeJson(rest.substring(next), offset + next);
    List<String> args = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    args.add(rest.substring(0, sep));
    offsets.add(offset);
    args.addAll(cmd.args());
    offsets.addAll(cmd.offsets());
    return new Parsed(args, offsets, cmd.json());
  }

  /** ARG: words, each {@code name} or {@code name=value}. */
  static Parsed nameOrNameValue(String rest, int offset, char escape) {
    return words(rest, offset, escape);
  }

  /**
   * ENV, LABEL: {@code key=value …} pairs, or the legacy {@code key value with spaces}. Values keep
   * their quotes; substitution removes them later.
   */
  static Parsed nameValue(String rest, int offset, String keyword, char escape)
      throws ArgException {
    Parsed words = words(rest, offset, escape);
    if (words.args().isEmpty()) {
      return Parsed.EMPTY;
    }
    if (!words.args().get(0).contains("=")) {
      Matcher m = WHITESPACE.matcher(rest);
      if (!m.find()) {
        throw new ArgException(keyword + " must have two arguments", offset);
      }
      return new Parsed(
          List.of(rest.substring(0, m.start()), rest.substring(m.end())),
          List.of(offset, offset + m.end()),
          false);
    }
    List<String> args = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    for (int i = 0; i < words.args().size(); i++) {
      String word = words.args().get(i);
      int at = words.offsets().get(i);
      int eq = word.indexOf('=');
      if (eq < 0) {
        throw new ArgException(
            "Syntax error - can't find = in \"" + word + "\". Must be of the form: name=value", at);
      }
      args.add(word.substring(0, eq));
      offsets.add(at);
      args.add(word.substring(eq + 1));
      offsets.add(at + eq + 1);
    }
    return new Parsed(args, offsets, false);
  }

  /** A JSON array of strings, null when {@code rest} is not a JSON array (the shell form). */
  private static Parsed json(String rest, int offset) throws ArgException {
    int lead = 0;
    while (lead < rest.length() && ShellLexer.isSpace(rest.charAt(lead))) {
      lead++;
    }
    String trimmed = rest.substring(lead);
    if (!trimmed.startsWith("[")) {
      return null;
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(trimmed);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (tree == null || !tree.isArray()) {
      return null;
    }
    List<String> args = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    for (JsonNode element : tree) {
      if (!element.isTextual()) {
        throw new ArgException(NOT_STRING_ARRAY, offset + lead);
      }
      args.add(element.textValue());
      offsets.add(offset + lead);
    }
    return new Parsed(args, offsets, true);
  }

  /**
   * Words separated by whitespace; quotes group and are kept, the escape token escapes the next
   * character and is kept (BuildKit's parseWords).
   */
  static Parsed words(String rest, int offset, char escape) {
    final int inSpaces = 0;
    final int inWord = 1;
    final int inQuote = 2;
    List<String> words = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    int phase = inSpaces;
    int quote = 0;
    boolean blankOk = false;
    int wordStart = 0;
    StringBuilder word = new StringBuilder();
    int len = rest.length();
    int pos = 0;
    while (pos <= len) {
      int ch = pos < len ? rest.codePointAt(pos) : -1;
      int width = ch < 0 ? 1 : Character.charCount(ch);
      if (phase == inSpaces) {
        if (pos == len) {
          break;
        }
        if (ShellLexer.isSpace(ch)) {
          pos += width;
          continue;
        }
        phase = inWord;
        wordStart = pos;
      }
      if ((phase == inWord || phase == inQuote) && pos == len) {
        if (blankOk || word.length() > 0) {
          words.add(word.toString());
          offsets.add(offset + wordStart);
        }
        break;
      }
      if (phase == inWord) {
        if (ShellLexer.isSpace(ch)) {
          phase = inSpaces;
          if (blankOk || word.length() > 0) {
            words.add(word.toString());
            offsets.add(offset + wordStart);
          }
          word.setLength(0);
          blankOk = false;
          pos += width;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = inQuote;
        }
        if (ch == escape) {
          if (pos + width == len) {
            pos += width;
            continue;
          }
          word.appendCodePoint(ch);
          pos += width;
          ch = rest.codePointAt(pos);
          width = Character.charCount(ch);
        }
        word.appendCodePoint(ch);
        pos += width;
        continue;
      }
      if (ch == quote) {
        phase = inWord;
      }
      if (ch == escape && quote != '\'') {
        if (pos + width == len) {
          phase = inWord;
          pos += width;
          continue;
        }
        pos += width;
        word.appendCodePoint(ch);
        ch = rest.codePointAt(pos);
        width = Character.charCount(ch);
      }
      word.appendCodePoint(ch);
      pos += width;
    }
    return new Parsed(words, offsets, false);
  }
}
