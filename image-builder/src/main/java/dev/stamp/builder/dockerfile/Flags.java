package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code --name=value} flags of one instruction: extraction from the text (BuildKit's
 * extractBuilderFlags: quotes removed, {@code \} escapes, a lone {@code --} ends the flags) and
 * validation against the flags the instruction accepts (booleans, single strings, repeatable
 * strings).
 */
final class Flags {

  enum Type {
    BOOL,
    STRING,
    STRINGS
  }

  /** The flags found at the start of an instruction's text and what follows them. */
  record Extracted(List<String> flags, List<Integer> offsets, String rest, int restOffset) {}

  /** A flag problem; {@code index} is the offending flag (-1: the instruction). */
  static final class FlagException extends Exception {
    private static final long serialVersionUID = 1L;
    final int index;

    FlagException(String message, int index) {
      super(message);
      this.index = index;
    }
  }

  private final Map<String, Type> declared = new LinkedHashMap<>();
  private final Map<String, String> values = new HashMap<>();
  private final Map<String, List<String>> multi = new HashMap<>();

  Flags bool(String name) {
    declared.put(name, Type.BOOL);
    return this;
  }

  Flags string(String name) {
    declared.put(name, Type.STRING);
    return this;
  }

  Flags strings(String name) {
    declared.put(name, Type.STRINGS);
    return this;
  }

  /** Checks {@code written} (as extracted) against the declared flags and records the values. */
  Flags parse(List<String> written) throws FlagException {
    for (int i = 0; i < written.size(); i++) {
      String arg = written.get(i);
      if (arg.equals("--")) {
        return this;
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      String key = eq >= 0 ? body.substring(0, eq) : body;
      String value = eq >= 0 ? body.substring(eq + 1) : null;
      Type type = declared.get(key);
      if (type == null) {
        throw new FlagException("unknown flag: --" + key, i);
      }
      if (type != Type.STRINGS && (values.containsKey(key))) {
        throw new FlagException("duplicate flag: --" + key, i);
      }
      switch (type) {
        case BOOL -> {
          if (value != null && value.isEmpty()) {
            throw new FlagException("missing a value on flag: --" + key, i);
          }
          String lower = value == null ? "true" : value.toLowerCase(Locale.ROOT);
          if (!lower.equals("true") && !lower.equals("false")) {
            throw new FlagException(
                "expecting boolean value for flag --" + key + ", not: " + value, i);
          }
          values.put(key, lower);
        }
        case STRING -> {
          if (value == null) {
            throw new FlagException("missing a value on flag: --" + key, i);
          }
          values.put(key, value);
        }
        case STRINGS -> {
          if (value == null) {
            throw new FlagException("missing a value on flag: --" + key, i);
          }
          multi.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return this;
  }

  boolean isTrue(String name) {
    return "true".equals(values.get(name));
  }

  Optional<String> value(String name) {
    return Optional.ofNullable(values.get(name));
  }

  List<String> all(String name) {
    return List.copyOf(multi.getOrDefault(name, List.of()));
  }

  /** BuildKit's extractBuilderFlags, keeping each flag's offset ({@code offset} = text start). */
  static Extracted extract(String line, int offset) {
    final int inSpaces = 0;
    final int inWord = 1;
    final int inQuote = 2;
    List<String> words = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    int phase = inSpaces;
    StringBuilder word = new StringBuilder();
    int quote = 0;
    boolean blankOk = false;
    int wordStart = 0;
    int len = line.length();
    for (int pos = 0; pos <= len; pos++) {
      char ch = pos < len ? line.charAt(pos) : 0;
      if (phase == inSpaces) {
        if (pos == len) {
          break;
        }
        if (ShellLexer.isSpace(ch)) {
          continue;
        }
        if (ch != '-' || pos + 1 == len || line.charAt(pos + 1) != '-') {
          return new Extracted(words, offsets, line.substring(pos), offset + pos);
        }
        phase = inWord;
        wordStart = pos;
      }
      if ((phase == inWord || phase == inQuote) && pos == len) {
        if (!word.toString().equals("--") && (blankOk || word.length() > 0)) {
          words.add(word.toString());
          offsets.add(offset + wordStart);
        }
        break;
      }
      if (phase == inWord) {
        if (ShellLexer.isSpace(ch)) {
          phase = inSpaces;
          if (word.toString().equals("--")) {
            return new Extracted(words, offsets, line.substring(pos), offset + pos);
          }
          if (blankOk || word.length() > 0) {
            words.add(word.toString());
            offsets.add(offset + wordStart);
          }
          word.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = inQuote;
          continue;
        }
        if (ch == '\\') {
          if (pos + 1 == len) {
            continue;
          }
          pos++;
          ch = line.charAt(pos);
        }
        word.append(ch);
        continue;
      }
      if (ch == quote) {
        phase = inWord;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == len) {
          phase = inWord;
          continue;
        }
        pos++;
        ch = line.charAt(pos);
      }
      word.append(ch);
    }
    return new Extracted(words, offsets, "", offset + len);
  }
}
