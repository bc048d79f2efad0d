package dev.stamp.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The body of every non-2xx answer: one line for people ({@code error}), the problems field by
 * field for programs, and whether sending the same request later can succeed ({@code retryable}).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(String error, List<Problem> problems, boolean retryable) {

  public ApiError {
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  public static ApiError of(String error) {
    return new ApiError(error, List.of(), false);
  }
}
