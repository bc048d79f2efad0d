package dev.stamp.agent.api;

import java.util.List;

/**
 * A call to an agent that did not succeed: the HTTP status (0 when no answer came), the agent's
 * message and problems, and whether trying again later can help (connection refused, 5xx, 409 while
 * a replace runs) or a person must change something first (400, 401, 404, 422).
 */
public final class AgentException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient List<Problem> problems;
  private final boolean retryable;

  public AgentException(String message, int status, List<Problem> problems, boolean retryable) {
    super(message);
    this.status = status;
    this.problems = problems == null ? List.of() : List.copyOf(problems);
    this.retryable = retryable;
  }

  public AgentException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.problems = List.of();
    this.retryable = true;
  }

  public int status() {
    return status;
  }

  public List<Problem> problems() {
    return problems;
  }

  public boolean retryable() {
    return retryable;
  }
}
