package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.network.lb.HealthCheck;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthSpecTest {

  @Test
  void durationsReadAsDockerWritesThem() throws Exception {
    assertThat(HealthSpec.parseDuration("--x", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(HealthSpec.parseDuration("--x", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(HealthSpec.parseDuration("--x", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(HealthSpec.parseDuration("--x", "1h")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> HealthSpec.parseDuration("--health-interval", "5"))
        .hasMessage("--health-interval 5: expected a duration like 500ms, 1s, 1.5s or 2m");
  }

  @Test
  void aSpecBecomesTheCheckItNames() throws Exception {
    HealthSpec http =
        HealthSpec.of(
            HealthSpec.HTTP,
            "/health",
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            3,
            Duration.ZERO);
    HealthCheck check = http.check(ReplicaExec.NONE);
    assertThat(check.probe().describe()).contains("/health");
    assertThat(check.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(http.describe()).isEqualTo("http /health");
    HealthSpec tcp =
        HealthSpec.of(
            HealthSpec.TCP,
            "ignored",
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            1,
            Duration.ZERO);
    assertThat(tcp.target()).isEmpty();
    assertThat(
            HealthSpec.of(
                    HealthSpec.CMD,
                    "test -f /ok",
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    1,
                    Duration.ZERO)
                .describe())
        .isEqualTo("cmd \"test -f /ok\"");
  }

  @Test
  void badSpecsAreRefusedWithTheReason() {
    assertThatThrownBy(
            () ->
                HealthSpec.of(
                    "ping", "", Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ZERO))
        .hasMessage("health check kind \"ping\": expected tcp, http or cmd");
    assertThatThrownBy(
            () ->
                HealthSpec.of(
                    HealthSpec.CMD,
                    " ",
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    1,
                    Duration.ZERO))
        .hasMessage("--health-cmd \" \": give a command");
    assertThatThrownBy(
            () ->
                HealthSpec.of(
                    HealthSpec.TCP,
                    "",
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    0,
                    Duration.ZERO))
        .hasMessage("health check: retries 0 must be at least 1");
  }
}
