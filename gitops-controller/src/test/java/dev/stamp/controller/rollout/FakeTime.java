package dev.stamp.controller.rollout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** A clock that only moves when the rollout sleeps; every sleep is noted. */
final class FakeTime extends Clock implements Rollout.Sleeper {

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  final List<Duration> sleeps = new ArrayList<>();

  @Override
  public synchronized void sleep(Duration d) {
    sleeps.add(d);
    now = now.plus(d);
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  Rollout.Timing timing() {
    return new Rollout.Timing(
        this, this, Duration.ofMillis(500), Duration.ofMinutes(1), 3, Duration.ofSeconds(1));
  }
}
