package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(1000));

  @Test
  void backoffDoublesWithJitterAndIsCapped() {
    for (int i = 0; i < 50; i++) {
      assertThat(policy.backoff(1).toMillis()).isBetween(50L, 100L);
      assertThat(policy.backoff(2).toMillis()).isBetween(100L, 200L);
      assertThat(policy.backoff(3).toMillis()).isBetween(200L, 400L);
      assertThat(policy.backoff(10).toMillis()).isBetween(500L, 1000L);
    }
  }

  @Test
  void retriesServerErrorsRateLimitsAndIoButNeverOtherClientErrors() {
    RegistryException server =
        RegistryException.answer("pull x", 503, RegistryErrorCode.UNKNOWN, "busy");
    RegistryException tooMany =
        RegistryException.answer("pull x", 429, RegistryErrorCode.TOOMANYREQUESTS, null);
    RegistryException bad =
        RegistryException.answer("pull x", 400, RegistryErrorCode.MANIFEST_INVALID, "bad");
    RegistryException io = RegistryException.io("pull x", "timed out", true, null);
    assertThat(policy.retries(1, server)).isTrue();
    assertThat(policy.retries(3, tooMany)).isTrue();
    assertThat(policy.retries(4, server)).isFalse();
    assertThat(policy.retries(1, bad)).isFalse();
    assertThat(policy.retries(1, io)).isTrue();
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("initialBackoff <= maxBackoff");
  }
}
