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

  public BuildException(Kind kind, String message, Throwable cause, boolean retryable) {
    super(kind, message, cause, retryable);
  }

  protected BuildException(String context, StampException cause) {
    super(context, cause);
  }

  /**
   * {@code context: cause's message} with the cause's kind and retryability: a base image no
   * registry has stays NOT_FOUND, a registry's 503 stays FAILED and retryable.
   */
  public static BuildException wrap(String context, StampException cause) {
    return new BuildException(context, cause);
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
