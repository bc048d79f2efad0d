package dev.stamp.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parsesUnitsAndCombinations() {
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("60h")).isEqualTo(Duration.ofHours(60));
    assertThat(Durations.parse("2d12h")).isEqualTo(Duration.ofHours(60));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1m30s250ms")).isEqualTo(Duration.ofMillis(90_250));
    assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
  }

  @Test
  void refusesOtherForms() {
    for (String bad : new String[] {"", "60", "1.5h", "-5s", "5 m", "1x", "h", "30m1h", "1m1m"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("got \"" + bad + "\"");
    }
    assertThatThrownBy(() -> Durations.parse("30m1h"))
        .hasMessage(
            "expected a duration with each unit once, largest first (1h30m), got \"30m1h\"");
  }

  @Test
  void formatReadsBack() {
    for (String text : new String[] {"0s", "90ms", "1h30m", "2d12h", "1m30s250ms"}) {
      assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
  }
}
