package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every non-2xx answer: {@code {"error": {"code", "message", "retryable", "field"}}}.
 * {@code code} is one of {@link Code}'s wire names; {@code message} says what was being done with
 * which input; {@code retryable}: whether the same request may succeed later unchanged; {@code
 * field}: the request field or parameter at fault, when there is one.
 */
public record ApiError(Detail error) {

  /** The error itself. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Detail(String code, String message, boolean retryable, String field) {}

  /** The error codes, each with its HTTP status. */
  public enum Code {
    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    CONFLICT(409),
    PAYLOAD_TOO_LARGE(413),
    BAD_INPUT(422),
    FAILED(500),
    UNAVAILABLE(503);

    private final int status;

    Code(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }

    /** The code as it appears on the wire: {@code bad_request}. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static ApiError of(Code code, String message, boolean retryable, String field) {
    return new ApiError(new Detail(code.wire(), message, retryable, field));
  }

  public static ApiError of(Code code, String message) {
    return of(code, message, false, null);
  }
}
