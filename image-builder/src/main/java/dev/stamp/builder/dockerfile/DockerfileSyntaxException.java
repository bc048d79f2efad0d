package dev.stamp.builder.dockerfile;

import dev.stamp.builder.BuildException;

/**
 * A Dockerfile that is not valid: its message is {@code FILE:LINE:COL: detail}, like a compiler's,
 * so editors and terminals can jump to the spot. Lines and columns count from 1; the column counts
 * characters (code units) of the physical line.
 */
public final class DockerfileSyntaxException extends BuildException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final int column;
  private final String detail;
  private final transient BuildProblem problem;

  public DockerfileSyntaxException(String file, int line, int column, String detail) {
    this(Kind.BAD_INPUT, file, line, column, detail);
  }

  public DockerfileSyntaxException(Kind kind, String file, int line, int column, String detail) {
    super(kind, file + ":" + line + ":" + column + ": " + detail);
    this.file = file;
    this.line = line;
    this.column = column;
    this.detail = detail;
    this.problem = null;
  }

  /** A build-time problem as the exception a build fails with. */
  DockerfileSyntaxException(BuildProblem problem) {
    super(Kind.BAD_INPUT, problem.message());
    this.file = problem.file();
    this.line = problem.line();
    this.column = problem.column();
    this.detail = problem.detail();
    this.problem = problem;
  }

  static DockerfileSyntaxException at(String file, Position position, String detail) {
    return new DockerfileSyntaxException(file, position.line(), position.column(), detail);
  }

  static DockerfileSyntaxException at(
      BuildProblem.Kind kind, String file, Position position, String detail) {
    return new BuildProblem(kind, file, position, detail).toException();
  }

  /**
   * The build-time problem this exception reports, when it is one (the file is syntactically valid
   * but a build refuses it); empty for a syntax error.
   */
  public java.util.Optional<BuildProblem> problem() {
    return java.util.Optional.ofNullable(problem);
  }

  /** The Dockerfile's name as given to the parser. */
  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** The message without the location. */
  public String detail() {
    return detail;
  }
}
