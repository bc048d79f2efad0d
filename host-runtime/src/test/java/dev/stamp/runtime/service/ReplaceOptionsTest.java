package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.health.HealthCheck;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplaceOptionsTest {

  @Test
  void aNegativeDelayIsBadInputNamingTheAction() {
    assertThat(ReplaceOptions.defaults().delay()).isZero();
    assertThatThrownBy(
            () -> ReplaceOptions.defaults().withDelay(Duration.ofSeconds(-1)).validate("replace x"))
        .isInstanceOfSatisfying(
            HostRuntimeException.class,
            e -> assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT))
        .hasMessageStartingWith("replace x: ");
  }

  @Test
  void theHealthPatienceIsTheChecksOwnBoundUnlessATimeoutIsGiven() {
    HealthCheck check =
        HealthCheck.http("/")
            .withInterval(Duration.ofSeconds(2))
            .withTimeout(Duration.ofSeconds(1))
            .withRetries(3)
            .withStartPeriod(Duration.ofSeconds(10));
    // start period, then retries + 1 probes of interval + timeout, and 30 s more
    assertThat(ReplaceOptions.defaults().healthPatience(check)).isEqualTo(Duration.ofSeconds(52));
    assertThat(
            ReplaceOptions.defaults()
                .withHealthTimeout(Duration.ofSeconds(5))
                .healthPatience(check))
        .isEqualTo(Duration.ofSeconds(5));
  }
}
