package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dockerfile text → syntax tree, following BuildKit's parser: parser directives at the very top,
 * comment lines, line continuations with the escape token (comment lines and empty lines inside a
 * continuation are skipped, the latter with a warning), instruction keywords in any case, {@code
 * --flags}, per-instruction argument splitting, and here-documents for RUN, COPY and ADD.
 */
public final class DockerfileParser {

  private static final Pattern DIRECTIVE =
      Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
  private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");
  private static final Set<String> HEREDOC_INSTRUCTIONS = Set.of("add", "copy", "run");

  /** The 18 instructions. */
  public static final Set<String> INSTRUCTIONS =
      Set.of(
          "from",
          "run",
          "cmd",
          "label",
          "maintainer",
          "expose",
          "env",
          "add",
          "copy",
          "entrypoint",
          "volume",
          "user",
          "workdir",
          "arg",
          "onbuild",
          "stopsignal",
          "healthcheck",
          "shell");

  private final String name;
  private final String[] lines;
  private int next;
  private ParserDirectives directives = ParserDirectives.defaults();
  private boolean directivesDone;
  private final Map<String, Boolean> seenDirectives = new java.util.HashMap<>();
  private Pattern continuation;

  private DockerfileParser(String name, String content) {
    this.name = name;
    this.lines = splitLines(content);
    this.continuation = continuationPattern(ParserDirectives.DEFAULT_ESCAPE);
  }

  /** Parses {@code content}; errors read {@code name:line:col: message}. */
  public static Dockerfile parse(String name, String content) throws DockerfileSyntaxException {
    return new DockerfileParser(name, content).parseAll();
  }

  private Dockerfile parseAll() throws DockerfileSyntaxException {
    List<Node> nodes = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    while (next < lines.length) {
      int startLine = next + 1;
      String raw = lines[next++];
      if (startLine == 1 && raw.startsWith("\uFEFF")) {
        raw = raw.substring(1);
      }
      String token = trimNewline(raw);
      int lead = leadingSpace(token);
      token = token.substring(lead);
      directive(token, startLine);
      token = trimComment(token);
      Matcher m = continuation.matcher(token);
      boolean endOfLine = !m.find();
      String first = endOfLine ? token : token.substring(0, m.start()) + nullToEmpty(m.group(1));
      if (endOfLine && first.isEmpty()) {
        continue;
      }
      LogicalLine line = new LogicalLine();
      line.append(first, startLine, lead + 1);
      boolean emptyContinuation = false;
      while (!endOfLine && next < lines.length) {
        int physical = next + 1;
        String rawNext = lines[next++];
        String body = trimNewline(rawNext);
        directive(body, physical);
        if (isComment(body)) {
          continue;
        }
        if (leadingSpace(body) == body.length()) {
          emptyContinuation = true;
          continue;
        }
        Matcher c = continuation.matcher(body);
        endOfLine = !c.find();
        String part = endOfLine ? body : body.substring(0, c.start()) + nullToEmpty(c.group(1));
        line.append(part, physical, 1);
      }
      if (emptyContinuation) {
        warnings.add(name + ":" + startLine + ": empty continuation line (will become an error)");
      }
      Node node = nodeFromLine(line, 0, new SourceLocation(startLine, next, 1));
      nodes.add(readHeredocs(node, line));
    }
    if (nodes.isEmpty()) {
      throw new DockerfileSyntaxException(
          name, Math.max(1, lines.length), 1, "file with no instructions");
    }
    return new Dockerfile(name, directives, nodes, warnings);
  }

  // --- directives ---------------------------------------------------------------------------

  private void directive(String line, int lineNumber) throws DockerfileSyntaxException {
    if (directivesDone) {
      return;
    }
    Matcher m = DIRECTIVE.matcher(line);
    if (!m.matches()) {
      directivesDone = true;
      return;
    }
    String key = m.group(1).toLowerCase(Locale.ROOT);
    if (!key.equals("syntax") && !key.equals("escape") && !key.equals("check")) {
      directivesDone = true;
      return;
    }
    if (seenDirectives.put(key, true) != null) {
      throw new DockerfileSyntaxException(
          name, lineNumber, 1, "only one " + key + " parser directive can be used");
    }
    String value = m.group(2);
    switch (key) {
      case "escape" -> {
        if (!value.equals("`") && !value.equals("\\")) {
          throw new DockerfileSyntaxException(
              name,
              lineNumber,
              m.start(2) + 1,
              "invalid escape token '" + value + "' does not match ` or \\");
        }
        directives = directives.withEscape(value.charAt(0));
        continuation = continuationPattern(value.charAt(0));
      }
      case "check" -> {
        try {
          directives = directives.withCheck(CheckDirective.parse(value));
        } catch (IllegalArgumentException e) {
          throw new DockerfileSyntaxException(name, lineNumber, m.start(2) + 1, e.getMessage());
        }
      }
      default -> directives = directives.withSyntax(value);
    }
  }

  // --- one instruction --------------------------------------------------------------------------

  /**
   * Splits {@code line} (from {@code from} on) into keyword, flags and arguments. Used for the
   * top-level instruction and for ONBUILD's trigger.
   */
  private Node nodeFromLine(LogicalLine line, int from, SourceLocation location)
      throws DockerfileSyntaxException {
    String text = line.text();
    int start = from;
    while (start < text.length() && ShellLexer.isSpace(text.charAt(start))) {
      start++;
    }
    int end = text.length();
    while (end > start && ShellLexer.isSpace(text.charAt(end - 1))) {
      end--;
    }
    Matcher ws = ArgParsers.WHITESPACE.matcher(text).region(start, end);
    int keywordEnd = ws.find() ? ws.start() : end;
    String keyword = text.substring(start, keywordEnd);
    Position keywordPos = line.positionOf(start);
    String lower = keyword.toLowerCase(Locale.ROOT);
    Flags.Extracted flags =
        keywordEnd < end
            ? Flags.extract(text.substring(ws.end(), end), ws.end())
            : new Flags.Extracted(List.of(), List.of(), "", end);
    String rest = flags.rest();
    int restOffset = flags.restOffset();
    int lead = 0;
    while (lead < rest.length() && ShellLexer.isSpace(rest.charAt(lead))) {
      lead++;
    }
    int trail = rest.length();
    while (trail > lead && ShellLexer.isSpace(rest.charAt(trail - 1))) {
      trail--;
    }
    String args = rest.substring(lead, trail);
    int argsOffset = restOffset + lead;
    SourceLocation loc =
        new SourceLocation(location.line(), location.endLine(), keywordPos.column());
    if (keywordPos.line() != location.line()) {
      loc = new SourceLocation(keywordPos.line(), location.endLine(), keywordPos.column());
    }
    ArgParsers.Parsed parsed;
    try {
      parsed = splitArgs(lower, args, argsOffset);
    } catch (ArgParsers.ArgException e) {
      throw DockerfileSyntaxException.at(name, line.positionOf(e.offset), e.getMessage());
    }
    List<Position> flagPositions = flags.offsets().stream().map(line::positionOf).toList();
    List<Position> argPositions = parsed.offsets().stream().map(line::positionOf).toList();
    Node node =
        new Node(
            keyword,
            flags.flags(),
            parsed.args(),
            parsed.json(),
            List.of(),
            Optional.empty(),
            text.substring(from),
            loc,
            flagPositions,
            argPositions);
    if (lower.equals("onbuild") && !args.isEmpty()) {
      node = node.withOnbuild(nodeFromLine(line, argsOffset, location));
    }
    return node;
  }

  private ArgParsers.Parsed splitArgs(String instruction, String args, int offset)
      throws ArgParsers.ArgException {
    char escape = directives.escape();
    return switch (instruction) {
      case "add", "copy", "volume" -> ArgParsers.maybeJsonToList(args, offset);
      case "arg" -> ArgParsers.nameOrNameValue(args, offset, escape);
      case "cmd", "entrypoint", "run", "shell" -> ArgParsers.maybeJson(args, offset);
      case "env" -> ArgParsers.nameValue(args, offset, "ENV", escape);
      case "label" -> ArgParsers.nameValue(args, offset, "LABEL", escape);
      case "expose", "from" -> ArgParsers.whitespaceDelimited(args, offset);
      case "healthcheck" -> ArgParsers.healthcheck(args, offset);
      case "onbuild" -> ArgParsers.Parsed.EMPTY;
      default -> ArgParsers.string(args, offset);
    };
  }

  // --- heredocs -----------------------------------------------------------------------------

  private Node readHeredocs(Node node, LogicalLine line) throws DockerfileSyntaxException {
    Node target = node.onbuild().orElse(node);
    if (!HEREDOC_INSTRUCTIONS.contains(target.instruction()) || target.json()) {
      return node;
    }
    List<Marker> markers = heredocMarkers(line);
    if (markers.isEmpty()) {
      return node;
    }
    List<Heredoc> docs = new ArrayList<>();
    for (Marker marker : markers) {
      docs.add(readBody(marker));
    }
    if (node.onbuild().isPresent()) {
      Node child = target.withHeredocs(docs, next);
      return node.withEndLine(next).withOnbuild(child);
    }
    return node.withHeredocs(docs, next);
  }

  private Heredoc readBody(Marker marker) throws DockerfileSyntaxException {
    Heredoc doc = marker.heredoc();
    StringBuilder content = new StringBuilder();
    while (next < lines.length) {
      String raw = lines[next++];
      String candidate = trimNewline(raw);
      if (doc.chomp()) {
        candidate = candidate.replaceFirst("^\t+", "");
      }
      if (candidate.equals(doc.name())) {
        return new Heredoc(
            doc.name(), content.toString(), doc.chomp(), doc.expand(), doc.fileDescriptor());
      }
      content.append(raw);
    }
    throw DockerfileSyntaxException.at(
        name, marker.position(), "unterminated heredoc " + marker.written() + " (opened here)");
  }

  private record Marker(Heredoc heredoc, String written, Position position) {}

  /** The {@code <<NAME} words of an instruction line, found like BuildKit does. */
  private List<Marker> heredocMarkers(LogicalLine line) throws DockerfileSyntaxException {
    String text = line.text();
    List<String> words;
    try {
      words =
          ShellLexer.of('\\')
              .withRawQuotes()
              .withRawEscapes()
              .keepingUnsetVariables()
              .processWords(text, Map.of());
    } catch (ExpansionException e) {
      return List.of();
    }
    List<Marker> markers = new ArrayList<>();
    int cursor = 0;
    for (String word : words) {
      int at = text.indexOf(word, cursor);
      Position position = line.positionOf(Math.max(at, 0));
      if (at >= 0) {
        cursor = at + word.length();
      }
      Heredoc doc = heredocFromWord(word, position);
      if (doc != null) {
        markers.add(new Marker(doc, word, position));
      }
    }
    return markers;
  }

  private Heredoc heredocFromWord(String word, Position position) throws DockerfileSyntaxException {
    Matcher m = HEREDOC.matcher(word);
    if (!m.matches() || m.group(3).isEmpty()) {
      return null;
    }
    int fd = m.group(1).isEmpty() ? 0 : parseFd(m.group(1));
    boolean chomp = m.group(2).equals("-");
    String rest = m.group(3);
    List<String> plain;
    List<String> raw;
    try {
      ShellLexer lexer = ShellLexer.of('\\').keepingUnsetVariables();
      plain = lexer.processWords(rest, Map.of());
      raw = lexer.withRawQuotes().processWords(rest, Map.of());
    } catch (ExpansionException e) {
      throw DockerfileSyntaxException.at(
          name, position, "invalid heredoc delimiter " + word + ": " + e.getMessage());
    }
    if (plain.size() != 1 || raw.size() != 1) {
      return null;
    }
    boolean expand = quoteCount(plain.get(0)) == quoteCount(raw.get(0));
    return new Heredoc(plain.get(0), "", chomp, expand, fd);
  }

  private static int parseFd(String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int quoteCount(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\'' || s.charAt(i) == '"') {
        n++;
      }
    }
    return n;
  }

  // --- line helpers -------------------------------------------------------------------------

  private static String[] splitLines(String content) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < content.length(); i++) {
      if (content.charAt(i) == '\n') {
        out.add(content.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < content.length()) {
      out.add(content.substring(start));
    }
    return out.toArray(new String[0]);
  }

  private static Pattern continuationPattern(char escape) {
    String e = Pattern.quote(String.valueOf(escape));
    return Pattern.compile(
        "([^" + (escape == '\\' ? "\\\\" : "`") + "])" + e + "[ \t]*\\z|^" + e + "[ \t]*\\z");
  }

  private static String trimNewline(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  private static int leadingSpace(String s) {
    int i = 0;
    while (i < s.length() && ShellLexer.isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isComment(String line) {
    return line.substring(leadingSpace(line)).startsWith("#");
  }

  private static String trimComment(String token) {
    return token.startsWith("#") ? "" : token;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
