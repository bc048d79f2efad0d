package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
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
}
