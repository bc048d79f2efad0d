package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

  @Test
  void parsesEveryWireFormAndDefaultsToAlways() {
    assertThat(RestartPolicy.parse(null).label()).isEqualTo("always");
    assertThat(RestartPolicy.parse("no").replaces(137)).isFalse();
    assertThat(RestartPolicy.parse("always").replaces(0)).isTrue();
    assertThat(RestartPolicy.parse("unless-stopped").replaces(0)).isTrue();
    RestartPolicy onFailure = RestartPolicy.parse("on-failure:2");
    assertThat(onFailure.label()).isEqualTo("on-failure:2");
    assertThat(onFailure.replaces(0)).isFalse();
    assertThat(onFailure.replaces(137)).isTrue();
    assertThat(onFailure.exhausted(1)).isFalse();
    assertThat(onFailure.exhausted(2)).isTrue();
    assertThat(RestartPolicy.parse("on-failure").exhausted(1000)).isFalse();
    assertThat(RestartPolicy.parse("always").exhausted(1000)).isFalse();
  }

  @Test
  void backoffDoublesFrom100MillisecondsTo10Seconds() {
    assertThat(RestartPolicy.backoff(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(RestartPolicy.backoff(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(RestartPolicy.backoff(6)).isEqualTo(Duration.ofMillis(6400));
    assertThat(RestartPolicy.backoff(7)).isEqualTo(Duration.ofSeconds(10));
    assertThat(RestartPolicy.backoff(500)).isEqualTo(Duration.ofSeconds(10));
  }
}
