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
 * then SIGKILL), and how long to wait after one replica is replaced before the next (Compose's
 * {@code update_config.delay}; zero by default).
 */
public record ReplaceOptions(
    ReplaceRecord.Order order,
    Optional<Duration> healthTimeout,
    Duration drainTimeout,
    Duration delay) {

  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  /** Start-first, the health check's own patience, 10 s of draining. */
  public static ReplaceOptions defaults() {
    return new ReplaceOptions(
        ReplaceRecord.Order.START_FIRST, Optional.empty(), DEFAULT_DRAIN_TIMEOUT, Duration.ZERO);
  }

  public ReplaceOptions withOrder(ReplaceRecord.Order value) {
    return new ReplaceOptions(value, healthTimeout, drainTimeout, delay);
  }

  public ReplaceOptions withHealthTimeout(Duration value) {
    return new ReplaceOptions(order, Optional.of(value), drainTimeout, delay);
  }

  public ReplaceOptions withDrainTimeout(Duration value) {
    return new ReplaceOptions(order, healthTimeout, value, delay);
  }

  public ReplaceOptions withDelay(Duration value) {
    return new ReplaceOptions(order, healthTimeout, drainTimeout, value);
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
        || healthTimeout.map(Duration::isNegative).orElse(false)) {
      throw HostRuntimeException.badInput(action + ": give an order and non-negative timeouts");
    }
  }
}
