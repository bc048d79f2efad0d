package dev.stamp.controller.rollout;

import dev.stamp.agent.api.AgentException;
import dev.stamp.controller.ControllerException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Agent calls with bounded retries: a retryable failure (no answer, 5xx, 409 while a replace runs)
 * is tried again after a backoff that doubles, at most {@link Rollout.Timing#attempts()} times in
 * all. What is left after that is {@link Unreachable} (no answer, or 5xx: the host is out of this
 * rollout) or {@link Refused} (the agent answered no: the spec or the host's state is at odds).
 */
final class AgentCalls {

  /** One agent call. */
  @FunctionalInterface
  interface Call<T> {
    T call() throws AgentException;
  }

  /** The agent did not answer, or kept failing on its side. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, AgentException cause) {
      super(message, cause);
    }
  }

  /** The agent answered and refused; {@code getMessage()} has its reasons. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message, AgentException cause) {
      super(message, cause);
    }

    int status() {
      return ((AgentException) getCause()).status();
    }
  }

  private final Rollout.Timing timing;
  private final Consumer<String> retrying;

  AgentCalls(Rollout.Timing timing, Consumer<String> retrying) {
    this.timing = timing;
    this.retrying = retrying;
  }

  <T> T call(HostAgent host, String what, Call<T> call)
      throws Unreachable, Refused, ControllerException {
    Duration backoff = timing.backoff();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (AgentException e) {
        String why = what + " on host " + host.name() + ": " + e.getMessage();
        if (!e.retryable()) {
          throw new Refused(why + problems(e), e);
        }
        if (attempt >= timing.attempts()) {
          String after = " (after " + attempt + " attempts)";
          if (e.status() == 0 || e.status() >= 500) {
            throw new Unreachable(why + after, e);
          }
          throw new Refused(why + problems(e) + after, e);
        }
        retrying.accept(
            why
                + "; attempt "
                + (attempt + 1)
                + " of "
                + timing.attempts()
                + " in "
                + backoff.toMillis()
                + " ms");
        Rollout.sleep(timing, backoff, what + " on host " + host.name());
        backoff = backoff.multipliedBy(2);
      }
    }
  }

  private static String problems(AgentException e) {
    return e.problems().isEmpty() ? "" : " " + e.problems();
  }
}
