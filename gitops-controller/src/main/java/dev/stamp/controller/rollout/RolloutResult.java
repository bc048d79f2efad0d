package dev.stamp.controller.rollout;

import java.util.List;

/**
 * How a rollout ended, per service per host, with one line for people.
 *
 * <p>{@code SUCCEEDED}: every host runs the release. {@code PARTIAL}: every reachable host does,
 * some agents could not be reached (their results say FAILED). {@code FAILED}: a service failed on
 * a reachable host and the failure action was {@code continue}, or a rollback failed or had no last
 * good release to go back to. {@code ROLLED_BACK}: a failure rolled every changed service back to
 * the last good release. {@code PAUSED}: a failure stopped the rollout where it was.
 */
public record RolloutResult(State state, List<HostServiceResult> results, String message) {

  public enum State {
    SUCCEEDED,
    PARTIAL,
    FAILED,
    ROLLED_BACK,
    PAUSED
  }

  public RolloutResult {
    results = List.copyOf(results);
  }

  /** The results of {@code service}, in host order. */
  public List<HostServiceResult> results(String service) {
    return results.stream().filter(r -> r.service().equals(service)).toList();
  }
}
