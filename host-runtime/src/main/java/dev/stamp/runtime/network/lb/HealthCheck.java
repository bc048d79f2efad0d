package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import java.time.Duration;

/**
 * How a backend is checked, with Docker's HEALTHCHECK semantics: a probe every {@code interval}
 * (the first one an interval after the backend is added), each given {@code timeout}; {@code
 * retries} consecutive failures make it unhealthy, one success healthy again; failures within
 * {@code startPeriod} of the backend being added do not count while it has never been healthy.
 * Docker's defaults: interval 30 s, timeout 30 s, retries 3, start period 0.
 */
public record HealthCheck(
    HealthProbe probe, Duration interval, Duration timeout, int retries, Duration startPeriod) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_RETRIES = 3;
  private static final Duration SHORTEST = Duration.ofMillis(1);

  /** A validated check. */
  public static HealthCheck of(
      HealthProbe probe, Duration interval, Duration timeout, int retries, Duration startPeriod)
      throws HostRuntimeException {
    String problem = null;
    if (probe == null) {
      problem = "no probe given";
    } else if (interval == null || interval.compareTo(SHORTEST) < 0) {
      problem = "interval " + interval + " must be at least 1 ms";
    } else if (timeout == null || timeout.compareTo(SHORTEST) < 0) {
      problem = "timeout " + timeout + " must be at least 1 ms";
    } else if (retries < 1) {
      problem = "retries " + retries + " must be at least 1";
    } else if (startPeriod == null || startPeriod.isNegative()) {
      problem = "start period " + startPeriod + " must not be negative";
    }
    if (problem != null) {
      throw HostRuntimeException.badInput("health check: " + problem);
    }
    return new HealthCheck(probe, interval, timeout, retries, startPeriod);
  }

  /** A TCP connect check with Docker's defaults. */
  public static HealthCheck tcp() {
    return new HealthCheck(
        new TcpProbe(), DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RETRIES, Duration.ZERO);
  }

  /** An HTTP GET check of {@code path} with Docker's defaults. */
  public static HealthCheck http(String path) throws HostRuntimeException {
    return new HealthCheck(
        HttpProbe.of(path), DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RETRIES, Duration.ZERO);
  }

  /** The same check with other timings. */
  public HealthCheck withTimings(
      Duration newInterval, Duration newTimeout, int newRetries, Duration newStartPeriod)
      throws HostRuntimeException {
    return of(probe, newInterval, newTimeout, newRetries, newStartPeriod);
  }
}
