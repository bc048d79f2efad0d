package dev.stamp.controller.api;

import dev.stamp.controller.ControllerException;

/** A refusal with its error code, thrown inside a handler and answered as an {@link ApiError}. */
final class ApiFailure extends Exception {

  private static final long serialVersionUID = 1L;

  final transient ApiError.Code code;
  final String field;
  final boolean retryable;

  ApiFailure(ApiError.Code code, String message, String field, boolean retryable) {
    super(message);
    this.code = code;
    this.field = field;
    this.retryable = retryable;
  }

  ApiFailure(ApiError.Code code, String message, String field) {
    this(code, message, field, false);
  }

  ApiFailure(ApiError.Code code, String message) {
    this(code, message, null, false);
  }

  ApiError error() {
    return ApiError.of(code, getMessage(), retryable, field);
  }

  /** The answer to a failed core operation: its kind decides the code, retryable FAILED is 503. */
  static ApiFailure of(ControllerException e) {
    ApiError.Code code =
        switch (e.kind()) {
          case BAD_INPUT -> ApiError.Code.BAD_INPUT;
          case NOT_FOUND -> ApiError.Code.NOT_FOUND;
          case CONFLICT -> ApiError.Code.CONFLICT;
          case FAILED -> e.retryable() ? ApiError.Code.UNAVAILABLE : ApiError.Code.FAILED;
        };
    return new ApiFailure(code, e.getMessage(), null, e.retryable());
  }
}
