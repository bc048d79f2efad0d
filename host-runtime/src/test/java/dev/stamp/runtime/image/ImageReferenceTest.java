package dev.stamp.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {

  static final String D = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        // input | registry | repository | tag | digest | full | familiar
        "busybox | docker.io | library/busybox | latest | - | docker.io/library/busybox:latest | busybox:latest",
        "busybox:1.36 | docker.io | library/busybox | 1.36 | - | docker.io/library/busybox:1.36 | busybox:1.36",
        "library/busybox | docker.io | library/busybox | latest | - | docker.io/library/busybox:latest | busybox:latest",
        "docker.io/busybox | docker.io | library/busybox | latest | - | docker.io/library/busybox:latest | busybox:latest",
        "index.docker.io/library/busybox:x | docker.io | library/busybox | x | - | docker.io/library/busybox:x | busybox:x",
        "bitnami/nginx:1.25 | docker.io | bitnami/nginx | 1.25 | - | docker.io/bitnami/nginx:1.25 | bitnami/nginx:1.25",
        "localhost/app | localhost | app | latest | - | localhost/app:latest | localhost/app:latest",
        "localhost:5000/a/b:t | localhost:5000 | a/b | t | - | localhost:5000/a/b:t | localhost:5000/a/b:t",
        "127.0.0.1:5000/x@"
            + D
            + " | 127.0.0.1:5000 | x | - | "
            + D
            + " | 127.0.0.1:5000/x@"
            + D
            + " | 127.0.0.1:5000/x@"
            + D,
        "ghcr.io/o/r:v1@"
            + D
            + " | ghcr.io | o/r | v1 | "
            + D
            + " | ghcr.io/o/r:v1@"
            + D
            + " | ghcr.io/o/r:v1@"
            + D,
        "reg.example.com/a.b_c__d--e/f:T_1.x-y | reg.example.com | a.b_c__d--e/f | T_1.x-y | - | reg.example.com/a.b_c__d--e/f:T_1.x-y | reg.example.com/a.b_c__d--e/f:T_1.x-y",
        "[::1]:5000/x:1 | [::1]:5000 | x | 1 | - | [::1]:5000/x:1 | [::1]:5000/x:1",
        "app/web:abc1234 | docker.io | app/web | abc1234 | - | docker.io/app/web:abc1234 | app/web:abc1234",
      })
  void parsesAndNormalises(
      String input,
      String registry,
      String repository,
      String tag,
      String digest,
      String full,
      String familiar)
      throws Exception {
    ImageReference ref = ImageReference.parse(input);
    assertThat(ref.registry()).isEqualTo(registry);
    assertThat(ref.repository()).isEqualTo(repository);
    assertThat(ref.tag()).isEqualTo(tag);
    assertThat(ref.digest() == null ? null : ref.digest().toString()).isEqualTo(digest);
    assertThat(ref.toString()).isEqualTo(full);
    assertThat(ref.familiar()).isEqualTo(familiar);
    assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'' | expected [REGISTRY[:PORT]/]REPOSITORY[:TAG][@DIGEST]",
        "Busybox | repository name must be lowercase",
        "localhost:5000/Foo/bar | repository name must be lowercase",
        "busybox: | tag \"\" must match",
        "busybox:.x | tag \".x\" must match",
        "busybox:a/b | registry \"busybox:a\" must be HOST[:PORT]",
        "busybox@sha256:abc | digest \"sha256:abc\" must be sha256:<64 lowercase hex>",
        "-x | must be lowercase [a-z0-9] components",
        "a//b | must be lowercase [a-z0-9] components",
        "a/b/ | must be lowercase [a-z0-9] components",
        "/busybox | must be lowercase [a-z0-9] components",
        "foo_-bar | must be lowercase [a-z0-9] components",
        "my-host.example:x/app | registry \"my-host.example:x\" must be HOST[:PORT]",
      })
  void rejectsNamingInputAndExpectation(String input, String expected) {
    assertThatThrownBy(() -> ImageReference.parse(input))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("invalid reference \"" + input + "\": ")
        .hasMessageContaining(expected)
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
  }

  @Test
  void tagLongerThan128IsRejected() throws Exception {
    assertThat(ImageReference.parse("busybox:" + "a".repeat(128)).tag()).hasSize(128);
    assertThatThrownBy(() -> ImageReference.parse("busybox:" + "a".repeat(129)))
        .hasMessageContaining("must match [\\w][\\w.-]{0,127}");
  }

  @ParameterizedTest
  @CsvSource({"busybox, busybox", "localhost:5000/a/b, localhost:5000/a/b"})
  void familiarNameIsTheRepositoryColumn(String input, String name) throws Exception {
    assertThat(ImageReference.parse(input).familiarName()).isEqualTo(name);
    assertThat(ImageReference.parse(input).withTag("v2").familiar()).isEqualTo(name + ":v2");
  }
}
