package dev.stamp.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code RUN --mount} options read the way BuildKit reads them. */
class RunMountTest {

  private static boolean readOnly(String spec) {
    return RunMount.parse(spec).readOnly();
  }

  @Test
  void bindIsReadOnlyUnlessRwOrReadwriteSaysOtherwise() {
    assertThat(readOnly("type=bind,target=/x")).isTrue();
    assertThat(readOnly("type=bind,target=/x,rw")).isFalse();
    assertThat(readOnly("type=bind,target=/x,readwrite")).isFalse();
    assertThat(readOnly("type=bind,target=/x,RW")).isFalse();
    assertThat(readOnly("type=bind,target=/x,rw=true")).isFalse();
    assertThat(readOnly("type=bind,target=/x,readwrite=1")).isFalse();
    assertThat(readOnly("type=bind,target=/x,rw=false")).isTrue();
    assertThat(readOnly("type=bind,target=/x,readwrite=f")).isTrue();
    assertThat(readOnly("type=bind,target=/x,ro")).isTrue();
    assertThat(readOnly("type=bind,target=/x,readonly")).isTrue();
    assertThat(readOnly("type=bind,target=/x,readonly=false")).isFalse();
    assertThat(readOnly("type=bind,target=/x,ro=false")).isFalse();
  }

  @Test
  void theWordRwInAValueIsNotTheRwOption() {
    assertThat(readOnly("type=bind,target=/rw")).isTrue();
    assertThat(readOnly("type=bind,source=rw,target=/x/rw")).isTrue();
    assertThat(readOnly("type=bind,from=rw,target=/readwrite")).isTrue();
  }

  @Test
  void cacheAndTmpfsAreWritableUnlessRo() {
    assertThat(readOnly("type=cache,target=/c")).isFalse();
    assertThat(readOnly("type=cache,target=/c,ro")).isTrue();
    assertThat(readOnly("type=tmpfs,target=/t")).isFalse();
  }

  @Test
  void aBadBooleanIsRefused() {
    assertThatThrownBy(() -> RunMount.parse("type=bind,target=/x,rw=maybe"))
        .hasMessageContaining("invalid value for rw: maybe");
  }
}
