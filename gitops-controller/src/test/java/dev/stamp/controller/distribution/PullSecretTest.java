package dev.stamp.controller.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PullSecretTest {

  @TempDir Path tmp;

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
  void aFileReadableByOthersIsRefused() throws Exception {
    Path file = tmp.resolve("pull-password");
    Files.writeString(file, "0123456789abcdef0123\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> PullSecret.fromFile(file)).hasMessageContaining("chmod 600");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(PullSecret.fromFile(file).reveal()).isEqualTo("0123456789abcdef0123");
  }

  @Test
  void writesTheDockerConfigAnAgentReads() throws Exception {
    PullSecret s = PullSecret.generate();
    String json = s.dockerConfigJson("127.0.0.1:7701");
    String auth = Base64.getEncoder().encodeToString(("stamp:" + s.reveal()).getBytes("UTF-8"));
    assertThat(json).isEqualTo("{\"auths\":{\"127.0.0.1:7701\":{\"auth\":\"" + auth + "\"}}}\n");
  }
}
