package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.network.lb.Backend;
import dev.stamp.runtime.network.lb.HealthState;
import dev.stamp.runtime.network.lb.HealthStatus;
import dev.stamp.runtime.network.lb.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The lines of {@code services/NAME.health}: what the monitor writes, what readers take back. */
class HealthLineTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aFailingReplicaKeepsItsContainerAndItsLastProbeOutputOnOneLine() throws Exception {
    HealthState state =
        new HealthState(
            HealthStatus.UNHEALTHY,
            3,
            T0,
            Optional.of(ProbeResult.failed("GET /  on 10.0.0.2:80:\nrefused", T0, Duration.ZERO)));
    Services.HealthLine line = Services.HealthLine.of(Backend.of("10.0.0.2", 80), state, "abc123");
    assertThat(line.text()).isEqualTo("10.0.0.2:80 UNHEALTHY abc123 GET / on 10.0.0.2:80: refused");
    assertThat(Services.HealthLine.parse(line.text())).contains(line);
  }

  @Test
  void aHealthyReplicaHasNoOutputAndLinesOfOlderMonitorsStillRead() throws Exception {
    HealthState healthy =
        new HealthState(
            HealthStatus.HEALTHY, 0, T0, Optional.of(ProbeResult.passed("200", T0, Duration.ZERO)));
    assertThat(Services.HealthLine.of(Backend.of("10.0.0.3", 80), healthy, "def456").text())
        .isEqualTo("10.0.0.3:80 HEALTHY def456");
    assertThat(Services.HealthLine.parse("10.0.0.3:80 STARTING"))
        .contains(new Services.HealthLine("10.0.0.3:80", HealthStatus.STARTING, null, ""));
    assertThat(Services.HealthLine.parse("10.0.0.3:80 SOMETHING")).isEmpty();
    assertThat(Services.HealthLine.parse("")).isEmpty();
  }
}
