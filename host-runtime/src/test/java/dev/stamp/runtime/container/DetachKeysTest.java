package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DetachKeysTest {

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  @Test
  void theDefaultIsCtrlPCtrlQ() {
    assertThat(DetachKeys.DEFAULT.sequence()).containsExactly(bytes(16, 17));
    assertThat(DetachKeys.DEFAULT.spec()).isEqualTo("ctrl-p,ctrl-q");
  }

  @Test
  void parsesDockerSyntax() throws Exception {
    assertThat(DetachKeys.parse("ctrl-x,x").sequence()).containsExactly(bytes(24, 'x'));
    assertThat(DetachKeys.parse("CTRL-A").sequence()).containsExactly(bytes(1));
    assertThat(DetachKeys.parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_").sequence())
        .containsExactly(bytes(0, 27, 28, 29, 30, 31));
    assertThat(DetachKeys.parse("a,b,c").sequence()).containsExactly(bytes('a', 'b', 'c'));
  }

  @Test
  void refusesWhatDoesNotParseNamingTheKey() {
    for (String bad : new String[] {"ctrl-xx", "ctrl-1", "alt-x", "", "ctrl-p,,ctrl-q", "ab"}) {
      assertThatThrownBy(() -> DetachKeys.parse(bad))
          .as(bad)
          .isInstanceOf(HostRuntimeException.class)
          .hasMessageStartingWith("--detach-keys " + bad + ": unknown key")
          .satisfies(
              e ->
                  assertThat(((StampException) e).kind()).isEqualTo(StampException.Kind.BAD_INPUT));
    }
  }

  @Test
  void plainInputPassesThrough() {
    DetachKeys.Matcher m = DetachKeys.DEFAULT.matcher();
    byte[] in = "echo hi\r".getBytes(StandardCharsets.US_ASCII);
    DetachKeys.Result r = m.feed(in, in.length);
    assertThat(r.detached()).isFalse();
    assertThat(r.forward()).containsExactly(in);
  }

  @Test
  void theSequenceDetachesAndIsNeverSent() {
    DetachKeys.Matcher m = DetachKeys.DEFAULT.matcher();
    DetachKeys.Result r = m.feed(bytes('l', 's', 16, 17, 'z'), 5);
    assertThat(r.detached()).isTrue();
    assertThat(r.forward()).containsExactly(bytes('l', 's'));
  }

  @Test
  void aSequenceSplitAcrossReadsStillDetaches() {
    DetachKeys.Matcher m = DetachKeys.DEFAULT.matcher();
    DetachKeys.Result first = m.feed(bytes(16), 1);
    assertThat(first.detached()).isFalse();
    assertThat(first.forward()).isEmpty(); // held back: it may be the start of the sequence
    DetachKeys.Result second = m.feed(bytes(17), 1);
    assertThat(second.detached()).isTrue();
    assertThat(second.forward()).isEmpty();
  }

  @Test
  void aBrokenOffPrefixIsSentAfterAllInOrder() {
    DetachKeys.Matcher m = DetachKeys.DEFAULT.matcher();
    assertThat(m.feed(bytes(16), 1).forward()).isEmpty();
    DetachKeys.Result r = m.feed(bytes('a'), 1);
    assertThat(r.detached()).isFalse();
    assertThat(r.forward()).containsExactly(bytes(16, 'a'));
  }

  @Test
  void aPrefixBrokenByTheFirstKeyRestartsTheMatch() {
    DetachKeys.Matcher m = DetachKeys.DEFAULT.matcher();
    DetachKeys.Result r = m.feed(bytes(16, 16, 17), 3);
    assertThat(r.detached()).isTrue();
    assertThat(r.forward()).containsExactly(bytes(16));
  }

  @Test
  void aSingleKeySequenceDetachesAtOnce() throws Exception {
    DetachKeys.Matcher m = DetachKeys.parse("ctrl-x").matcher();
    DetachKeys.Result r = m.feed(bytes('a', 24, 'b'), 3);
    assertThat(r.detached()).isTrue();
    assertThat(r.forward()).containsExactly(bytes('a'));
  }

  @Test
  void customKeysDoNotReactToTheDefault() throws Exception {
    DetachKeys.Matcher m = DetachKeys.parse("ctrl-x,x").matcher();
    DetachKeys.Result r = m.feed(bytes(16, 17, 24, 'y'), 4);
    assertThat(r.detached()).isFalse();
    assertThat(r.forward()).containsExactly(bytes(16, 17, 24, 'y'));
    assertThat(m.feed(bytes(24, 'x'), 2).detached()).isTrue();
  }
}
