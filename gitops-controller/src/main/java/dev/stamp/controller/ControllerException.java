package dev.stamp.controller;

import dev.stamp.runtime.StampException;

/**
 * A controller operation that failed: what was being done, with which input (a repository, an app,
 * a host, a file and line), and whether retrying can help ({@link #retryable()}: an unreachable
 * repository or agent is retried with backoff; a bad file waits for a new commit).
 */
public class ControllerException extends StampException {

  private static final long serialVersionUID = 1L;

  public ControllerException(Kind kind, String message) {
    super(kind, message);
  }

  public ControllerException(Kind kind, String message, Throwable cause, boolean retryable) {
    super(kind, message, cause, retryable);
  }

  /** {@code cause} seen from {@code context}, keeping its kind and retryability. */
  public ControllerException(String context, StampException cause) {
    super(context, cause);
  }

  /** Bad input (a file, a field, a request): exit 2; retrying the same input cannot help. */
  public static ControllerException badInput(String message) {
    return new ControllerException(Kind.BAD_INPUT, message);
  }

  /** Something named does not exist (an app, a release, a branch). */
  public static ControllerException notFound(String message) {
    return new ControllerException(Kind.NOT_FOUND, message);
  }

  /** The request clashes with current state (a sync already running, a held window). */
  public static ControllerException conflict(String message) {
    return new ControllerException(Kind.CONFLICT, message);
  }

  /** The operation failed for a reason that may pass (an unreachable peer, a timeout). */
  public static ControllerException unavailable(String message, Throwable cause) {
    return new ControllerException(Kind.FAILED, message, cause, true);
  }

  /** The operation failed and will fail again until something changes. */
  public static ControllerException failed(String message, Throwable cause) {
    return new ControllerException(Kind.FAILED, message, cause, false);
  }
}
