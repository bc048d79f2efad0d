package dev.stamp.builder.dockerfile;

/** A place in a Dockerfile: 1-based line and column. */
public record Position(int line, int column) {

  public Position {
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("position " + line + ":" + column + " is not 1-based");
    }
  }

  @Override
  public String toString() {
    return line + ":" + column;
  }
}
