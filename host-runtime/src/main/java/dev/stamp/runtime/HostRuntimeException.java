package dev.stamp.runtime;

/**
 * The host-runtime module's exception family: image store, layers, registry, containers,
 * networking. The message names the action and the bad input.
 */
public class HostRuntimeException extends StampException {

  private static final long serialVersionUID = 1L;

  public HostRuntimeException(Kind kind, String message) {
    super(kind, message);
  }

  public HostRuntimeException(Kind kind, String message, Throwable cause) {
    super(kind, message, cause);
  }

  public HostRuntimeException(Kind kind, String message, Throwable cause, boolean retryable) {
    super(kind, message, cause, retryable);
  }

  protected HostRuntimeException(String context, StampException cause) {
    super(context, cause);
  }

  /** {@code context: cause's message}, keeping the cause's kind and retryability. */
  public static HostRuntimeException wrap(String context, StampException cause) {
    return new HostRuntimeException(context, cause);
  }

  public static HostRuntimeException badInput(String message) {
    return new HostRuntimeException(Kind.BAD_INPUT, message);
  }

  public static HostRuntimeException notFound(String message) {
    return new HostRuntimeException(Kind.NOT_FOUND, message);
  }

  public static HostRuntimeException conflict(String message) {
    return new HostRuntimeException(Kind.CONFLICT, message);
  }

  public static HostRuntimeException failed(String message, Throwable cause) {
    return new HostRuntimeException(Kind.FAILED, message, cause);
  }

  public static HostRuntimeException failed(String message) {
    return new HostRuntimeException(Kind.FAILED, message);
  }
}
