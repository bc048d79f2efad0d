package dev.stamp.controller.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PullSecretTest {

  @Test
  void matchesOnlyBasicStampWithThePassword() throws Exception {
    PullSecret s = PullSecret.of("0123456789abcdef-pass");
    assertThat(s.matchesBasic(TestImages.basic("stamp", "0123456789abcdef-pass"))).isTrue();
    assertThat(s.matchesBasic(TestImages.basic("stamp", "0123456789abcdef-pasS"))).isFalse();
    assertThat(s.matchesBasic(TestImages.basic("other", "0123456789abcdef-pass"))).isFalse();
    assertThat(s.matchesBasic("basic " + "c3RhbXA6MDEyMzQ1Njc4OWFiY2RlZi1wYXNz")).isTrue();
    assertThat(s.matchesBasic(null)).isFalse();
    assertThat(s.matchesBasic("Basic")).isFalse();
    assertThat(s.matchesBasic("Basic %%%")).isFalse();
    assertThat(s.toString()).doesNotContain("0123456789abcdef");
  }

  @Test
  void weakPasswordsAreRefusedWithoutRepeatingThem() {
    for (String weak : new String[] {"short", "has space 0123456789", "colon:0123456789abc"}) {
      assertThatThrownBy(() -> PullSecret.of(weak))
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
                assertThat(e.getMessage()).doesNotContain(weak);
              });
    }
  }

  @Test
  void writesTheDockerConfigAnAgentReads() throws Exception {
    PullSecret s = PullSecret.generate();
    String json = s.dockerConfigJson("127.0.0.1:7701");
    String auth = Base64.getEncoder().encodeToString(("stamp:" + s.reveal()).getBytes("UTF-8"));
    assertThat(json).isEqualTo("{\"auths\":{\"127.0.0.1:7701\":{\"auth\":\"" + auth + "\"}}}\n");
  }
}
