package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.health.HealthCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A backend's health as Docker's daemon tracks a container's (moby {@code daemon/health.go}): a
 * success makes it healthy and clears the failing streak; a failure adds to the streak, except
 * while it is still starting within the start period (counted from {@code startedAt}); a streak of
 * {@code retries} makes it unhealthy.
 */
public record HealthState(
    HealthStatus status, int failingStreak, Instant startedAt, Optional<ProbeResult> last) {

  /** A backend just added: starting, no failures. */
  public static HealthState starting(Instant startedAt) {
    return new HealthState(HealthStatus.STARTING, 0, startedAt, Optional.empty());
  }

  /** A backend whose check is {@code NONE}: healthy without a probe. */
  public static HealthState unchecked(Instant startedAt) {
    return new HealthState(HealthStatus.HEALTHY, 0, startedAt, Optional.empty());
  }

  /** The state after {@code result}. */
  public HealthState after(ProbeResult result, HealthCheck check) {
    if (result.healthy()) {
      return new HealthState(HealthStatus.HEALTHY, 0, startedAt, Optional.of(result));
    }
    boolean inStartPeriod =
        status == HealthStatus.STARTING
            && Duration.between(startedAt, result.start()).compareTo(check.startPeriod()) < 0;
    if (inStartPeriod) {
      return new HealthState(status, failingStreak, startedAt, Optional.of(result));
    }
    int streak = failingStreak + 1;
    HealthStatus next = streak >= check.retryLimit() ? HealthStatus.UNHEALTHY : status;
    return new HealthState(next, streak, startedAt, Optional.of(result));
  }
}
