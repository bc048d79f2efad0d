package dev.stamp.builder.dockerfile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code HEALTHCHECK [--interval] [--timeout] [--start-period] [--start-interval] [--retries] CMD
 * …} or {@code HEALTHCHECK NONE}. {@code test} is the image-config form: {@code ["NONE"]}, {@code
 * ["CMD", argv…]} or {@code ["CMD-SHELL", "command"]}. Unset options inherit the base image's.
 */
public record HealthcheckInstruction(
    List<String> test,
    Optional<Duration> interval,
    Optional<Duration> timeout,
    Optional<Duration> startPeriod,
    Optional<Duration> startInterval,
    Optional<Integer> retries,
    SourceLocation location)
    implements Instruction {

  public HealthcheckInstruction {
    test = List.copyOf(test);
  }

  @Override
  public void cacheText(CacheText out) {
    out.field("test", test)
        .durationField("interval", interval)
        .durationField("timeout", timeout)
        .durationField("start-period", startPeriod)
        .durationField("start-interval", startInterval)
        .field("retries", retries);
  }

  /** {@code HEALTHCHECK NONE}: disables a health check inherited from the base image. */
  public boolean isNone() {
    return test.equals(List.of("NONE"));
  }
}
