package dev.stamp.builder;

import dev.stamp.runtime.StampException;

/**
 * The image-builder module's exception family: Dockerfile parsing and resolution, build context,
 * build engine. The message names the action and the bad input.
 */
public class BuildException extends StampException {

  private static final long serialVersionUID = 1L;

  public BuildException(Kind kind, String message) {
    super(kind, message);
  }

  public BuildException(Kind kind, String message, Throwable cause) {
    super(kind, message, cause);
  }

  public static BuildException badInput(String message) {
    return new BuildException(Kind.BAD_INPUT, message);
  }

  public static BuildException notFound(String message) {
    return new BuildException(Kind.NOT_FOUND, message);
  }

  public static BuildException failed(String message, Throwable cause) {
    return new BuildException(Kind.FAILED, message, cause);
  }

  public static BuildException failed(String message) {
    return new BuildException(Kind.FAILED, message);
  }
}
