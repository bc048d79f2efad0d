package dev.stamp.runtime.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomBytesTest {

  @Test
  void hexGivesTwoLowerCaseDigitsPerByte() {
    assertThat(RandomBytes.hex(32)).matches("[0-9a-f]{64}");
    assertThat(RandomBytes.hex(1)).matches("[0-9a-f]{2}");
  }

  @Test
  void nextGivesTheAskedNumberOfBytes() {
    assertThat(RandomBytes.next(6)).hasSize(6);
    assertThat(RandomBytes.next(0)).isEmpty();
  }

  @Test
  void successiveIdsDiffer() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      ids.add(RandomBytes.hex(32));
    }
    assertThat(ids).hasSize(1000);
  }
}
