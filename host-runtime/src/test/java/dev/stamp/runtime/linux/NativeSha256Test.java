package dev.stamp.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NativeSha256Test {

  static byte[] jdk(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  @Test
  void libcryptoIsUsedOnThisMachineKind() {
    // Debian's libssl3 is installed with the JDK; without it Stamp still works, only slower
    assertThat(NativeSha256.available()).isTrue();
  }

  @Test
  void smallAndLargeContentFedInPiecesOfEverySizeGivesTheJdksDigest() throws Exception {
    Random random = new Random(7);
    for (int size :
        new int[] {0, 1, 511, NativeSha256.SMALL, NativeSha256.SMALL + 1, 3 * NativeSha256.SMALL}) {
      byte[] data = new byte[size];
      random.nextBytes(data);
      MessageDigest md = NativeSha256.create();
      int at = 0;
      while (at < size) {
        int piece = Math.min(size - at, 1 + random.nextInt(300_000));
        if (piece == 1) {
          md.update(data[at]);
        } else {
          md.update(data, at, piece);
        }
        at += piece;
      }
      assertThat(md.digest()).as("%d bytes", size).isEqualTo(jdk(data));
    }
  }

  @Test
  void aDigestResetsItForTheNextContentAndResetDiscardsWhatWasFed() throws Exception {
    byte[] large = new byte[2 * NativeSha256.SMALL + 5];
    new Random(3).nextBytes(large);
    MessageDigest md = NativeSha256.create();
    md.update(large);
    assertThat(md.digest()).isEqualTo(jdk(large));
    md.update(large);
    assertThat(md.digest()).isEqualTo(jdk(large));
    md.update(large);
    md.reset();
    md.update(new byte[] {1, 2, 3});
    assertThat(md.digest()).isEqualTo(jdk(new byte[] {1, 2, 3}));
  }

  /** Buffers fed as BlobWriter feeds them: direct (hashed in place) and heap, at odd positions. */
  @Test
  void directAndHeapBuffersOfEdgeSizesGiveTheJdksDigest() throws Exception {
    Random random = new Random(11);
    int small = NativeSha256.SMALL;
    for (int size : new int[] {0, 1, small - 1, small, small + 1, 5 * small + 3}) {
      byte[] data = new byte[size];
      random.nextBytes(data);
      for (boolean direct : new boolean[] {true, false}) {
        MessageDigest md = NativeSha256.create();
        int at = 0;
        while (at < size) {
          int piece = Math.min(size - at, 1 + random.nextInt(3 * small / 2));
          // the bytes sit after a 7-byte prefix and before a suffix that must not be hashed
          ByteBuffer buf =
              direct ? ByteBuffer.allocateDirect(piece + 16) : ByteBuffer.allocate(piece + 16);
          buf.position(7);
          buf.put(data, at, piece);
          buf.put(new byte[9]);
          buf.position(7).limit(7 + piece);
          md.update(buf);
          assertThat(buf.hasRemaining()).isFalse();
          at += piece;
        }
        assertThat(md.digest()).as("%d bytes, direct %s", size, direct).isEqualTo(jdk(data));
      }
    }
  }

  @Test
  void bytesFedBothWaysInOneDigestKeepTheirOrder() throws Exception {
    byte[] data = new byte[3 * NativeSha256.SMALL + 17];
    new Random(5).nextBytes(data);
    MessageDigest md = NativeSha256.create();
    int third = data.length / 3;
    md.update(data, 0, third);
    ByteBuffer middle = ByteBuffer.allocateDirect(third);
    middle.put(data, third, third).flip();
    md.update(middle);
    md.update(ByteBuffer.wrap(data, 2 * third, data.length - 2 * third));
    assertThat(md.digest()).isEqualTo(jdk(data));
  }
}
