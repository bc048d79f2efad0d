package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.health.HealthCheck;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@link Services#replace} goes about it: the {@link ReplaceRecord.Order order} of each pair,
 * how long a new replica may take to become healthy (empty: as long as the service's health check
 * needs to call it unhealthy — start period plus retries probes — and 30 s more), and how long an
 * old replica's connections are drained before it is stopped (its own stop signal and grace period,
 * then SIGKILL), how many replicas are replaced at a time (Compose's {@code
 * update_config.parallelism}; one by default) and how long to wait after one batch of them is
 * replaced before the next (Compose's {@code update_config.delay}; zero by default).
 */
public record ReplaceOptions(
    ReplaceRecord.Order order,
    Optional<Duration> healthTimeout,
    Duration drainTimeout,
    Duration delay,
    int parallelism) {

  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  /** Start-first, the health check's own patience, 10 s of draining. */
  public static ReplaceOptions defaults() {
    return new ReplaceOptions(
        ReplaceRecord.Order.START_FIRST, Optional.empty(), DEFAULT_DRAIN_TIMEOUT, Duration.ZERO, 1);
  }

  public ReplaceOptions withOrder(ReplaceRecord.Order value) {
    return new ReplaceOptions(value, healthTimeout, drainTimeout, delay, parallelism);
  }

  public ReplaceOptions withHealthTimeout(Duration value) {
    return new ReplaceOptions(order, Optional.of(value), drainTimeout, delay, parallelism);
  }

  public ReplaceOptions withDrainTimeout(Duration value) {
    return new ReplaceOptions(order, healthTimeout, value, delay, parallelism);
  }

  public ReplaceOptions withDelay(Duration value) {
    return new ReplaceOptions(order, healthTimeout, drainTimeout, value, parallelism);
  }

  /** Replace {@code value} replicas at a time (at least 1). */
  public ReplaceOptions withParallelism(int value) {
    return new ReplaceOptions(order, healthTimeout, drainTimeout, delay, value);
  }

  /**
   * How long a replica may take to become healthy under {@code check} (the check in effect): the
   * health timeout when one is given, else the check's own bound — its start period, then {@code
   * retries + 1} probes of an interval and a timeout each — and 30 s more. A first run and every
   * replace wait this long.
   */
  Duration healthPatience(HealthCheck check) {
    return healthTimeout.orElseGet(
        () ->
            check
                .startPeriod()
                .plus(check.interval().plus(check.timeout()).multipliedBy(check.retryLimit() + 1L))
                .plusSeconds(30));
  }

  void validate(String action) throws HostRuntimeException {
    if (order == null
        || drainTimeout == null
        || drainTimeout.isNegative()
        || delay == null
        || delay.isNegative()
        || parallelism < 1
        || healthTimeout.map(Duration::isNegative).orElse(false)) {
      throw HostRuntimeException.badInput(
          action + ": give an order, non-negative timeouts and a parallelism of at least 1");
    }
  }
}
