package dev.stamp.builder.dockerfile;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One instruction of the syntax tree, as written: the keyword, the {@code --flags} (quotes
 * removed), the arguments split the way BuildKit's parser splits them (exec-form JSON arrays become
 * their elements, shell form stays one string, ENV and LABEL become key, value, key, value…, quotes
 * kept for later word processing), here-documents, and for ONBUILD the nested trigger.
 *
 * @param keyword the instruction keyword as written (any case)
 * @param json whether the arguments were an exec-form JSON array
 * @param original the instruction's text with continuation lines joined
 * @param flagPositions where each flag starts
 * @param argPositions where each argument starts (an exec-form array: its {@code [})
 */
public record Node(
    String keyword,
    List<String> flags,
    List<String> args,
    boolean json,
    List<Heredoc> heredocs,
    Optional<Node> onbuild,
    String original,
    SourceLocation location,
    List<Position> flagPositions,
    List<Position> argPositions) {

  public Node {
    flags = List.copyOf(flags);
    args = List.copyOf(args);
    heredocs = List.copyOf(heredocs);
    flagPositions = List.copyOf(flagPositions);
    argPositions = List.copyOf(argPositions);
    if (flagPositions.size() != flags.size() || argPositions.size() != args.size()) {
      throw new IllegalArgumentException("one position per flag and per argument");
    }
  }

  /** The keyword in lower case ({@code run}, {@code copy}…). */
  public String instruction() {
    return keyword.toLowerCase(Locale.ROOT);
  }

  /** Where the argument {@code index} starts; the keyword's position when there is none. */
  public Position argPosition(int index) {
    return index >= 0 && index < argPositions.size() ? argPositions.get(index) : location.start();
  }

  Node withHeredocs(List<Heredoc> docs, int endLine) {
    SourceLocation loc = new SourceLocation(location.line(), endLine, location.column());
    return new Node(
        keyword, flags, args, json, docs, onbuild, original, loc, flagPositions, argPositions);
  }

  Node withOnbuild(Node child) {
    return new Node(
        keyword,
        flags,
        args,
        json,
        heredocs,
        Optional.of(child),
        original,
        location,
        flagPositions,
        argPositions);
  }

  Node withEndLine(int endLine) {
    SourceLocation loc = new SourceLocation(location.line(), endLine, location.column());
    return new Node(
        keyword, flags, args, json, heredocs, onbuild, original, loc, flagPositions, argPositions);
  }
}
