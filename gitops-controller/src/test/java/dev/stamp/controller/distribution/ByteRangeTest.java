package dev.stamp.controller.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

  @Test
  void resolvesSingleRangesAgainstTheSize() {
    assertThat(ByteRange.parse("bytes=0-9", 100).range()).hasValue(new ByteRange(0, 9));
    assertThat(ByteRange.parse("bytes=90-200", 100).range()).hasValue(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=95-", 100).range()).hasValue(new ByteRange(95, 99));
    assertThat(ByteRange.parse("bytes=-10", 100).range()).hasValue(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=-500", 100).range()).hasValue(new ByteRange(0, 99));
  }

  @Test
  void unsatisfiableAndIgnoredRanges() {
    assertThat(ByteRange.parse("bytes=100-", 100).unsatisfiable()).isTrue();
    assertThat(ByteRange.parse("bytes=-0", 100).unsatisfiable()).isTrue();
    for (String ignored :
        new String[] {null, "bytes=5-2", "bytes=0-1,5-6", "items=0-1", "bytes=-", "bytes=a-b"}) {
      ByteRange.Parsed p = ByteRange.parse(ignored, 100);
      assertThat(p.range()).as(ignored).isEmpty();
      assertThat(p.unsatisfiable()).as(ignored).isFalse();
    }
  }
}
