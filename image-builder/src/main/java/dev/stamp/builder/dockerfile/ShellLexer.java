package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Docker's word processing (BuildKit's shell lexer): single and double quotes, the escape token,
 * and variable substitution — {@code $v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?msg} ${v?msg}}, the
 * pattern forms {@code ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}} — with {@code \$} (or the
 * backtick escape) to keep a dollar literal. Immutable; each call works on its own state.
 *
 * <p>{@link #processWord} keeps spaces; {@link #processWords} splits the result on unquoted
 * whitespace (splitting happens after substitution, like Docker).
 */
public final class ShellLexer {

  private static final int EOF = -1;

  private final int escape;
  private final boolean rawQuotes;
  private final boolean rawEscapes;
  private final boolean skipQuotes;
  private final boolean skipUnsetEnv;

  private ShellLexer(
      int escape, boolean rawQuotes, boolean rawEscapes, boolean skipQuotes, boolean skipUnsetEnv) {
    this.escape = escape;
    this.rawQuotes = rawQuotes;
    this.rawEscapes = rawEscapes;
    this.skipQuotes = skipQuotes;
    this.skipUnsetEnv = skipUnsetEnv;
  }

  /** A lexer using {@code escape} ({@code \} or {@code `}) as the escape token. */
  public static ShellLexer of(char escape) {
    return new ShellLexer(escape, false, false, false, false);
  }

  /** Keeps quote characters in the result (quoting still groups words). */
  public ShellLexer withRawQuotes() {
    return new ShellLexer(escape, true, rawEscapes, skipQuotes, skipUnsetEnv);
  }

  /** Keeps escape tokens in the result. */
  public ShellLexer withRawEscapes() {
    return new ShellLexer(escape, rawQuotes, true, skipQuotes, skipUnsetEnv);
  }

  /** Treats quotes as ordinary characters (heredoc bodies). */
  public ShellLexer withoutQuoteProcessing() {
    return new ShellLexer(escape, rawQuotes, rawEscapes, true, skipUnsetEnv);
  }

  /** Leaves references to unset variables as written instead of substituting "". */
  public ShellLexer keepingUnsetVariables() {
    return new ShellLexer(escape, rawQuotes, rawEscapes, skipQuotes, true);
  }

  /** Substitutes variables from {@code env} and removes quotes and escapes; keeps spaces. */
  public String processWord(String word, Map<String, String> env) throws ExpansionException {
    return new Run(word, env::get).processStopOn(EOF, rawEscapes).result;
  }

  /** Like {@link #processWord} with a lookup that returns null for an unset variable. */
  public String processWord(String word, Function<String, String> lookup)
      throws ExpansionException {
    return new Run(word, lookup).processStopOn(EOF, rawEscapes).result;
  }

  /** Substitutes and splits into words on unquoted whitespace. */
  public List<String> processWords(String word, Map<String, String> env) throws ExpansionException {
    return new Run(word, env::get).processStopOn(EOF, rawEscapes).words;
  }

  private record Processed(String result, List<String> words) {}

  /** Word splitting: whitespace from substitutions splits, quoted text never does. */
  private static final class Words {
    private final List<String> words = new ArrayList<>();
    private final StringBuilder current = new StringBuilder();
    private boolean inWord;

    void addChar(int ch) {
      if (isSpace(ch) && inWord) {
        if (current.length() != 0) {
          words.add(current.toString());
          current.setLength(0);
          inWord = false;
        }
      } else if (!isSpace(ch)) {
        addRawChar(ch);
      }
    }

    void addRawChar(int ch) {
      current.appendCodePoint(ch);
      inWord = true;
    }

    void addString(String s) {
      s.codePoints().forEach(this::addChar);
    }

    void addRawString(String s) {
      current.append(s);
      inWord = true;
    }

    List<String> finish() {
      if (current.length() > 0) {
        words.add(current.toString());
        current.setLength(0);
        inWord = false;
      }
      return List.copyOf(words);
    }
  }

  /** The state of one call: a cursor over the word's code points. */
  private final class Run {
    private final int[] cps;
    private final int[] charIndex;
    private final Function<String, String> lookup;
    private int pos;
    private boolean rawEscapesNow;

    Run(String word, Function<String, String> lookup) {
      this.cps = word.codePoints().toArray();
      this.charIndex = new int[cps.length + 1];
      int c = 0;
      for (int i = 0; i < cps.length; i++) {
        charIndex[i] = c;
        c += Character.charCount(cps[i]);
      }
      charIndex[cps.length] = c;
      this.lookup = lookup;
      this.rawEscapesNow = rawEscapes;
    }

    private int peek() {
      return pos < cps.length ? cps[pos] : EOF;
    }

    private int next() {
      return pos < cps.length ? cps[pos++] : EOF;
    }

    private ExpansionException error(String message, int cpOffset) {
      return new ExpansionException(message, charIndex[Math.min(cpOffset, cps.length)]);
    }

    Processed processStopOn(int stop, boolean rawEsc) throws ExpansionException {
      boolean saved = rawEscapesNow;
      rawEscapesNow = rawEsc;
      try {
        return scan(stop);
      } finally {
        rawEscapesNow = saved;
      }
    }

    private Processed scan(int stop) throws ExpansionException {
      StringBuilder result = new StringBuilder();
      Words words = new Words();
      int start = pos;
      while (peek() != EOF) {
        int ch = peek();
        if (stop != EOF && ch == stop) {
          next();
          return new Processed(result.toString(), words.finish());
        }
        if (ch == '$') {
          String value = processDollar();
          result.append(value);
          words.addString(value);
        } else if (!skipQuotes && ch == '\'') {
          String value = processSingleQuote();
          result.append(value);
          words.addRawString(value);
        } else if (!skipQuotes && ch == '"') {
          String value = processDoubleQuote();
          result.append(value);
          words.addRawString(value);
        } else {
          ch = next();
          if (ch == escape) {
            if (rawEscapesNow) {
              words.addRawChar(ch);
              result.appendCodePoint(ch);
            }
            ch = next();
            if (ch == EOF) {
              break;
            }
            words.addRawChar(ch);
          } else {
            words.addChar(ch);
          }
          result.appendCodePoint(ch);
        }
      }
      if (stop != EOF) {
        throw error(
            "unexpected end of statement while looking for matching "
                + new String(Character.toChars(stop)),
            start);
      }
      return new Processed(result.toString(), words.finish());
    }

    private String processSingleQuote() throws ExpansionException {
      int start = pos;
      StringBuilder result = new StringBuilder();
      int ch = next();
      if (rawQuotes) {
        result.appendCodePoint(ch);
      }
      while (true) {
        ch = next();
        if (ch == EOF) {
          throw error("unexpected end of statement while looking for matching single-quote", start);
        }
        if (ch == '\'') {
          if (rawQuotes) {
            result.appendCodePoint(ch);
          }
          return result.toString();
        }
        result.appendCodePoint(ch);
      }
    }

    private String processDoubleQuote() throws ExpansionException {
      int start = pos;
      StringBuilder result = new StringBuilder();
      int ch = next();
      if (rawQuotes) {
        result.appendCodePoint(ch);
      }
      while (true) {
        int peeked = peek();
        if (peeked == EOF) {
          throw error("unexpected end of statement while looking for matching double-quote", start);
        }
        if (peeked == '"') {
          ch = next();
          if (rawQuotes) {
            result.appendCodePoint(ch);
          }
          return result.toString();
        }
        if (peeked == '$') {
          result.append(processDollar());
          continue;
        }
        ch = next();
        if (ch == escape) {
          if (rawEscapesNow) {
            result.appendCodePoint(ch);
          }
          int after = peek();
          if (after == EOF) {
            continue;
          }
          if (after == '"' || after == '$' || after == escape) {
            ch = next();
          }
        }
        result.appendCodePoint(ch);
      }
    }

    private String processDollar() throws ExpansionException {
      int start = pos;
      next();
      if (peek() != '{') {
        String name = processName();
        if (name.isEmpty()) {
          return "$";
        }
        String value = lookup.apply(name);
        if (value == null && skipUnsetEnv) {
          return "$" + name;
        }
        return value == null ? "" : value;
      }
      next();
      int first = peek();
      if (first == EOF) {
        throw error("syntax error: missing '}'", start);
      }
      if (first == '{' || first == '}' || first == ':') {
        throw error("syntax error: bad substitution", start);
      }
      String name = processName();
      int ch = next();
      if (ch == EOF) {
        throw error("syntax error: missing '}'", start);
      }
      String chs = new String(Character.toChars(ch));
      if (ch == '}') {
        String value = lookup.apply(name);
        if (value == null && skipUnsetEnv) {
          return "${" + name + "}";
        }
        return value == null ? "" : value;
      }
      if (ch == '/') {
        return substituteReplace(name, start);
      }
      boolean nullIsUnset = false;
      if (ch == ':') {
        nullIsUnset = true;
        ch = next();
        chs += ch == EOF ? "" : new String(Character.toChars(ch));
      } else if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
        throw error("unsupported modifier (" + chs + ") in substitution", start);
      }
      return substituteModifier(name, ch, chs, nullIsUnset, start);
    }

    private String substituteModifier(
        String name, int ch, String chs, boolean nullIsUnset, int start) throws ExpansionException {
      boolean patternForm = ch == '#' || ch == '%';
      if (nullIsUnset && patternForm) {
        throw error("unsupported modifier (" + chs + ") in substitution", start);
      }
      String word = wordUntil('}', patternForm, "syntax error: missing '}'", start);
      String value = lookup.apply(name);
      boolean set = value != null;
      if (!set && skipUnsetEnv) {
        return "${" + name + chs + word + "}";
      }
      boolean missing = !set || (nullIsUnset && value.isEmpty());
      switch (ch) {
        case '-':
          return missing ? word : value;
        case '+':
          return missing ? "" : word;
        case '?':
          if (!set) {
            throw error(
                name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word), start);
          }
          if (missing) {
            throw error(
                name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word), start);
          }
          return value;
        case '#':
        case '%':
          return trim(ch, word, value == null ? "" : value, start);
        default:
          throw error("unsupported modifier (" + chs + ") in substitution", start);
      }
    }

    private String trim(int ch, String word, String value, int start) throws ExpansionException {
      boolean greedy = !word.isEmpty() && word.codePointAt(0) == ch;
      String pattern = greedy ? word.substring(Character.charCount(ch)) : word;
      try {
        return ch == '%'
            ? ShellPattern.trimSuffix(pattern, value, greedy)
            : ShellPattern.trimPrefix(pattern, value, greedy);
      } catch (IllegalArgumentException e) {
        throw error("invalid pattern (" + pattern + ") in substitution: " + e.getMessage(), start);
      }
    }

    private String substituteReplace(String name, int start) throws ExpansionException {
      boolean replaceAll = peek() == '/';
      if (replaceAll) {
        next();
      }
      String pattern = wordUntil('/', true, "syntax error: missing '/' in ${}", start);
      String replacement = wordUntil('}', true, "syntax error: missing '}'", start);
      String value = lookup.apply(name);
      if (value == null && skipUnsetEnv) {
        return "${" + name + "/" + pattern + "/" + replacement + "}";
      }
      try {
        return ShellPattern.replace(pattern, value == null ? "" : value, replacement, replaceAll);
      } catch (IllegalArgumentException e) {
        throw error("invalid pattern (" + pattern + ") in substitution: " + e.getMessage(), start);
      }
    }

    private String wordUntil(int stop, boolean rawEsc, String missing, int start)
        throws ExpansionException {
      try {
        return processStopOn(stop, rawEsc).result;
      } catch (ExpansionException e) {
        if (peek() == EOF) {
          throw error(missing, start);
        }
        throw e;
      }
    }

    private String processName() {
      StringBuilder name = new StringBuilder();
      while (peek() != EOF) {
        int ch = peek();
        if (name.length() == 0 && Character.isDigit(ch)) {
          while (peek() != EOF && Character.isDigit(peek())) {
            name.appendCodePoint(next());
          }
          return name.toString();
        }
        if (name.length() == 0 && isSpecialParameter(ch)) {
          return new String(Character.toChars(next()));
        }
        if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
          break;
        }
        name.appendCodePoint(next());
      }
      return name.toString();
    }
  }

  private static boolean isSpecialParameter(int ch) {
    return ch == '@' || ch == '*' || ch == '#' || ch == '?' || ch == '-' || ch == '$' || ch == '!'
        || ch == '0';
  }

  /** Go's unicode.IsSpace. */
  static boolean isSpace(int ch) {
    switch (ch) {
      case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0:
        return true;
      default:
        return ch > 0xFF && Character.isSpaceChar(ch);
    }
  }
}
