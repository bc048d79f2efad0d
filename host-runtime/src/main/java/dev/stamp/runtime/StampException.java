package dev.stamp.runtime;

/**
 * Root of every exception family in Stamp. Each module has its own subclass; all of them carry a
 * {@link Kind} that tells the caller what to do next, and a message that names the action and the
 * bad input ("pull busybox:1.36: manifest unknown"), and {@link #retryable()}: whether the same
 * request may succeed later without anyone changing anything (a registry's 5xx, a timeout). A
 * controller keeps a retryable failure "waiting" (retry with backoff) and any other "stalled"
 * (needs a person), as Flux's controllers do. Wrapping ({@link #StampException(String,
 * StampException)}, each family's {@code wrap}) adds context and keeps both.
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
  private final boolean retryable;

  public StampException(Kind kind, String message) {
    super(message);
    this.kind = kind;
    this.retryable = false;
  }

  public StampException(Kind kind, String message, Throwable cause) {
    this(kind, message, cause, false);
  }

  /** A failure that may go away by itself ({@code retryable}: a peer's 5xx, a timeout). */
  public StampException(Kind kind, String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.kind = kind;
    this.retryable = retryable;
  }

  /**
   * {@code cause} seen from a caller: the message is {@code context: cause's message}, the kind and
   * retryability are the cause's (a missing image stays NOT_FOUND, a registry's 503 stays
   * retryable).
   */
  protected StampException(String context, StampException cause) {
    super(context + ": " + cause.getMessage(), cause);
    this.kind = cause.kind();
    this.retryable = cause.retryable();
  }

  public Kind kind() {
    return kind;
  }

  /**
   * Whether trying the same request again later may succeed without anyone changing anything: true
   * means "waiting, retry with backoff", false "stalled, needs a person" (the input, the state or
   * the host must change first).
   */
  public boolean retryable() {
    return retryable;
  }
}
