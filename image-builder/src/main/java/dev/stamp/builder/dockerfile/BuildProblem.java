package dev.stamp.builder.dockerfile;

/**
 * Something a build refuses in a Dockerfile that is syntactically valid: the parser accepts the
 * file (as BuildKit's does), the builder and {@code stamp lint} report each problem at its place.
 * {@link #message()} is exactly what {@code stamp build} prints when it refuses the file.
 *
 * @param kind what sort of problem, for tools that group or filter them
 * @param file the Dockerfile's name as given to the parser
 * @param position where the problem is written (1-based line and column)
 * @param detail the message without the location
 */
public record BuildProblem(Kind kind, String file, Position position, String detail) {

  /** The sorts of build-time problems. */
  public enum Kind {
    /** A keyword that is no Dockerfile instruction. */
    UNKNOWN_INSTRUCTION,
    /** A {@code --flag} the instruction does not accept. */
    UNKNOWN_FLAG,
    /** A known flag with a missing, duplicate or invalid value. */
    INVALID_FLAG,
    /** Too few or too many arguments. */
    ARGUMENT_COUNT,
    /** An argument the instruction cannot use (a bad stage name, an empty path…). */
    INVALID_ARGUMENT,
    /** Words the builder cannot process: an unterminated quote, a malformed {@code ${…}}. */
    UNPROCESSABLE_WORDS,
    /** An instruction other than ARG before the first FROM. */
    BEFORE_FIRST_FROM,
    /** No FROM at all. */
    NO_STAGE,
    /** Two stages with the same name. */
    DUPLICATE_STAGE_NAME,
    /** A {@code --from} naming neither a stage nor an image. */
    STAGE_REFERENCE
  }

  public BuildProblem {
    if (kind == null || file == null || position == null || detail == null || detail.isBlank()) {
      throw new IllegalArgumentException("a build problem needs a kind, file, position and detail");
    }
  }

  public int line() {
    return position.line();
  }

  public int column() {
    return position.column();
  }

  /** {@code FILE:LINE:COL: detail}, the message a build fails with. */
  public String message() {
    return file + ":" + position.line() + ":" + position.column() + ": " + detail;
  }

  /** The exception a build throws for this problem. */
  public DockerfileSyntaxException toException() {
    return new DockerfileSyntaxException(this);
  }
}
