package dev.stamp.runtime.network.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.health.HealthCheck;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HealthStateTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static HealthCheck check(int retries, Duration startPeriod) throws Exception {
    return HealthCheck.tcp()
        .withInterval(Duration.ofSeconds(1))
        .withTimeout(Duration.ofSeconds(1))
        .withRetries(retries)
        .withStartPeriod(startPeriod)
        .check("health check");
  }

  private static ProbeResult ok(int second) {
    return ProbeResult.passed("ok", T0.plusSeconds(second), Duration.ZERO);
  }

  private static ProbeResult fail(int second) {
    return ProbeResult.failed("refused", T0.plusSeconds(second), Duration.ZERO);
  }

  @Test
  void unhealthyOnlyAfterRetriesConsecutiveFailures() throws Exception {
    HealthCheck check = check(3, Duration.ZERO);
    HealthState s = HealthState.starting(T0).after(ok(1), check);
    assertThat(s.status()).isEqualTo(HealthStatus.HEALTHY);
    s = s.after(fail(2), check).after(fail(3), check);
    assertThat(s.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(s.failingStreak()).isEqualTo(2);
    s = s.after(fail(4), check);
    assertThat(s.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(s.failingStreak()).isEqualTo(3);
    assertThat(s.last()).contains(fail(4));
  }

  @Test
  void aSuccessInBetweenResetsTheStreak() throws Exception {
    HealthCheck check = check(2, Duration.ZERO);
    HealthState s = HealthState.starting(T0).after(ok(1), check);
    s = s.after(fail(2), check).after(ok(3), check).after(fail(4), check);
    assertThat(s.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(s.failingStreak()).isEqualTo(1);
  }

  @Test
  void oneSuccessMakesAnUnhealthyBackendHealthyAgain() throws Exception {
    HealthCheck check = check(1, Duration.ZERO);
    HealthState s = HealthState.starting(T0).after(fail(1), check);
    assertThat(s.status()).isEqualTo(HealthStatus.UNHEALTHY);
    s = s.after(ok(2), check);
    assertThat(s.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(s.failingStreak()).isZero();
  }

  @Test
  void failuresWithinTheStartPeriodDoNotCountWhileStarting() throws Exception {
    HealthCheck check = check(2, Duration.ofSeconds(10));
    HealthState s = HealthState.starting(T0);
    for (int second = 1; second < 10; second++) {
      s = s.after(fail(second), check);
    }
    assertThat(s.status()).isEqualTo(HealthStatus.STARTING);
    assertThat(s.failingStreak()).isZero();
    s = s.after(fail(10), check);
    assertThat(s.status()).isEqualTo(HealthStatus.STARTING);
    assertThat(s.failingStreak()).isEqualTo(1);
    s = s.after(fail(11), check);
    assertThat(s.status()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void theStartPeriodNoLongerShieldsABackendThatWasHealthyOnce() throws Exception {
    HealthCheck check = check(1, Duration.ofSeconds(60));
    HealthState s = HealthState.starting(T0).after(ok(1), check).after(fail(2), check);
    assertThat(s.status()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void aSuccessDuringTheStartPeriodMakesItHealthyAtOnce() throws Exception {
    HealthCheck check = check(3, Duration.ofSeconds(60));
    HealthState s = HealthState.starting(T0).after(fail(1), check).after(ok(2), check);
    assertThat(s.status()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void badTimingsAreRefusedWithTheValue() {
    assertThatThrownBy(() -> check(-1, Duration.ZERO))
        .hasMessage("health check.retries -1: must not be negative");
    assertThatThrownBy(() -> check(1, Duration.ofSeconds(-1)))
        .hasMessage("health check.startPeriod PT-1S: must not be negative");
    assertThatThrownBy(() -> HealthProbe.fromHost(HealthCheck.http("health")))
        .hasMessage("health check.test [HTTP, health]: HTTP needs an absolute path like /health");
    assertThatThrownBy(() -> HealthProbe.fromHost(HealthCheck.shell("true")))
        .hasMessageContaining("runs inside the container");
  }
}
