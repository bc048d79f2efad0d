package dev.stamp.builder.dockerfile;

/**
 * Where an instruction sits: its first and last physical line (continuations and heredoc bodies
 * included) and the column of its keyword.
 */
public record SourceLocation(int line, int endLine, int column) {

  public SourceLocation {
    if (line < 1 || endLine < line || column < 1) {
      throw new IllegalArgumentException(
          "bad source location " + line + "-" + endLine + ":" + column);
    }
  }

  public Position start() {
    return new Position(line, column);
  }
}
