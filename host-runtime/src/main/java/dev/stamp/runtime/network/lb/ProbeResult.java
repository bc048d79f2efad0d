package dev.stamp.runtime.network.lb;

import java.time.Duration;
import java.time.Instant;

/**
 * One probe: whether it passed, what it saw (a status line, an error), when it started, how long.
 */
public record ProbeResult(boolean healthy, String output, Instant start, Duration took) {

  public static ProbeResult passed(String output, Instant start, Duration took) {
    return new ProbeResult(true, output, start, took);
  }

  public static ProbeResult failed(String output, Instant start, Duration took) {
    return new ProbeResult(false, output, start, took);
  }
}
