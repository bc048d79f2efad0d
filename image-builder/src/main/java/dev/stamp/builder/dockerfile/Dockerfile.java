package dev.stamp.builder.dockerfile;

import java.util.List;

/**
 * A parsed Dockerfile: its name (used in error messages), the parser directives, the instructions
 * as written ({@link Node}s) and warnings such as empty continuation lines. {@link #stages()} turns
 * it into typed, validated instructions grouped by stage; {@link #check()} lists what a build would
 * refuse without stopping at the first problem.
 */
public record Dockerfile(
    String name, ParserDirectives directives, List<Node> nodes, List<String> warnings) {

  public Dockerfile {
    nodes = List.copyOf(nodes);
    warnings = List.copyOf(warnings);
  }

  /** Parses {@code content}; {@code name} prefixes every error ({@code name:line:col: …}). */
  public static Dockerfile parse(String name, String content) throws DockerfileSyntaxException {
    return DockerfileParser.parse(name, content);
  }

  /**
   * The typed instructions and everything a build would refuse in this file (unknown instructions
   * and flags, instructions before the first FROM, missing arguments, unprocessable quotes…), each
   * with its line and column. Never throws: the file is syntactically valid.
   */
  public Instructions.Checked check() {
    return Instructions.check(this);
  }

  /** The typed instructions: global ARGs and stages (validated on each call). */
  public Instructions instructions() throws DockerfileSyntaxException {
    return Instructions.of(this);
  }

  /** The build stages, in file order. */
  public List<Stage> stages() throws DockerfileSyntaxException {
    return instructions().stages();
  }

  /** The ARG instructions before the first FROM. */
  public List<ArgInstruction> globalArgs() throws DockerfileSyntaxException {
    return instructions().globalArgs();
  }
}
