package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;

/**
 * A registry refused or failed a request. The message is {@code ACTION: CODE: registry's message}
 * (e.g. {@code pull 127.0.0.1:5000/app:1: MANIFEST_UNKNOWN: manifest unknown}); the kind follows
 * the code (NOT_FOUND, BAD_INPUT for refused credentials, FAILED otherwise). {@link #retryable()}
 * says whether trying again may help: 5xx, 429 and I/O failures (timeouts, resets), never another
 * 4xx.
 */
public final class RegistryException extends HostRuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final RegistryErrorCode code;
  private final String registryMessage;

  private RegistryException(
      Kind kind,
      String message,
      int status,
      RegistryErrorCode code,
      String registryMessage,
      boolean retryable,
      Throwable cause) {
    super(kind, message, cause, retryable);
    this.status = status;
    this.code = code;
    this.registryMessage = registryMessage;
  }

  /** An error answer: HTTP {@code status} with the registry's first error (code and message). */
  static RegistryException answer(String action, int status, RegistryErrorCode code, String text) {
    String message = text == null || text.isBlank() ? code.description() : text;
    Kind kind = status >= 500 ? Kind.FAILED : code.kind();
    boolean retryable = status >= 500 || status == 429;
    return new RegistryException(
        kind, action + ": " + code + ": " + message, status, code, message, retryable, null);
  }

  /** A failure to talk to the registry at all (refused connection, reset, timeout, TLS). */
  static RegistryException io(String action, String what, boolean retryable, Throwable cause) {
    return new RegistryException(
        Kind.FAILED, action + ": " + what, 0, RegistryErrorCode.UNKNOWN, what, retryable, cause);
  }

  /** The same failure with {@code note} appended (e.g. how many attempts were made). */
  RegistryException withNote(String note) {
    return new RegistryException(
        kind(), getMessage() + " " + note, status, code, registryMessage, retryable(), getCause());
  }

  /** The HTTP status, 0 when no answer came. */
  public int status() {
    return status;
  }

  public RegistryErrorCode code() {
    return code;
  }

  /** The registry's own message (or what went wrong on the way). */
  public String registryMessage() {
    return registryMessage;
  }
}
