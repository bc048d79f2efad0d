package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampException.Kind;
import org.junit.jupiter.api.Test;

/** Wrapping adds context and keeps what the caller should do next: the kind and retryability. */
class WrappedRetryabilityTest {

  @Test
  void aRegistrysRetryabilityFollowsItsAnswer() {
    assertThat(
            RegistryException.answer("pull r/a:1", 503, RegistryErrorCode.UNKNOWN, "busy")
                .retryable())
        .isTrue();
    assertThat(
            RegistryException.answer("pull r/a:1", 429, RegistryErrorCode.TOOMANYREQUESTS, "")
                .retryable())
        .isTrue();
    RegistryException missing =
        RegistryException.answer("pull r/a:1", 404, RegistryErrorCode.MANIFEST_UNKNOWN, "gone");
    assertThat(missing.kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(missing.retryable()).isFalse();
    assertThat(RegistryException.io("pull r/a:1", "reset", true, null).retryable()).isTrue();
    assertThat(
            RegistryException.io("pull r/a:1", "reset", true, null)
                .withNote("(4 tries)")
                .retryable())
        .isTrue();
  }

  @Test
  void wrapKeepsKindAndRetryabilityAndPrefixesTheMessage() {
    RegistryException busy =
        RegistryException.answer("pull r/a:1", 503, RegistryErrorCode.UNKNOWN, "busy");
    HostRuntimeException wrapped = HostRuntimeException.wrap("FROM r/a:1", busy);
    assertThat(wrapped.kind()).isEqualTo(Kind.FAILED);
    assertThat(wrapped.retryable()).isTrue();
    assertThat(wrapped.getMessage()).isEqualTo("FROM r/a:1: pull r/a:1: UNKNOWN: busy");
    assertThat(wrapped.getCause()).isSameAs(busy);

    HostRuntimeException twice = HostRuntimeException.wrap("build", wrapped);
    assertThat(twice.retryable()).isTrue();
    assertThat(twice.getMessage()).startsWith("build: FROM r/a:1: ");

    HostRuntimeException missing =
        HostRuntimeException.wrap(
            "FROM r/a:1",
            RegistryException.answer(
                "pull r/a:1", 404, RegistryErrorCode.MANIFEST_UNKNOWN, "gone"));
    assertThat(missing.kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(missing.retryable()).isFalse();
  }

  @Test
  void plainFailuresAreNotRetryableUnlessSaidSo() {
    assertThat(HostRuntimeException.failed("x").retryable()).isFalse();
    assertThat(new StampException(Kind.FAILED, "x", null, true).retryable()).isTrue();
    assertThat(HostRuntimeException.wrap("y", HostRuntimeException.conflict("x")).kind())
        .isEqualTo(Kind.CONFLICT);
  }
}
