package dev.stamp.runtime;

/**
 * Root of every exception family in Stamp. Each module has its own subclass; all of them carry a
 * {@link Kind} that tells the caller what to do next, and a message that names the action and the
 * bad input ("pull busybox:1.36: manifest unknown").
 */
public class StampException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What the caller should do about the failure; the CLI maps it to an exit code. */
  public enum Kind {
    /** The input (a flag, a file, a reference) is wrong: fix it and retry. Exit code 2. */
    BAD_INPUT(2),
    /** Something named does not exist (image, container, stage). Exit code 2. */
    NOT_FOUND(2),
    /** The request clashes with existing state (name in use, port taken). Exit code 1. */
    CONFLICT(1),
    /** The operation itself failed (I/O, kernel, peer). Exit code 1. */
    FAILED(1);

    private final int exitCode;

    Kind(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  private final Kind kind;

  public StampException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public StampException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
