package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Docker's HEALTHCHECK in an image config. {@code test} is {@code ["NONE"]}, {@code ["CMD", args…]}
 * or {@code ["CMD-SHELL", command]}; durations are nanoseconds (0 = inherit the default).
 */
@JsonPropertyOrder({"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
public record Healthcheck(
    @JsonProperty("Test") List<String> test,
    @JsonProperty("Interval") Long intervalNanos,
    @JsonProperty("Timeout") Long timeoutNanos,
    @JsonProperty("StartPeriod") Long startPeriodNanos,
    @JsonProperty("StartInterval") Long startIntervalNanos,
    @JsonProperty("Retries") Integer retries) {

  public Healthcheck {
    test = Values.copy(test);
  }
}
