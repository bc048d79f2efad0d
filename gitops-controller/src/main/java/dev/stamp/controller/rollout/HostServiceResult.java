package dev.stamp.controller.rollout;

import java.util.Locale;

/**
 * How one service ended on one host: what the plan said, what happened, the agent generation it
 * ended at (0: none), and why.
 */
public record HostServiceResult(
    String service,
    String host,
    RolloutPlan.Action action,
    Outcome outcome,
    long generation,
    String message) {

  public enum Outcome {
    /** Created or replaced, and healthy. */
    SUCCEEDED,
    /** Already the desired spec, and healthy. */
    UNCHANGED,
    /** Did not become healthy, the agent refused the spec, or the agent was unreachable. */
    FAILED,
    /** Not tried: a dependency failed. */
    SKIPPED,
    /** Not reached: the rollout paused or rolled back before it. */
    NOT_STARTED,
    /** Put back to the last good release's spec (or removed when that release did not have it). */
    ROLLED_BACK,
    /** Deleted from the host: no longer desired there. */
    REMOVED;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }
}
