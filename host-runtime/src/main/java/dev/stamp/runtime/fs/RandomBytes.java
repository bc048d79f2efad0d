package dev.stamp.runtime.fs;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random bytes for ids, temp names and MAC addresses, read from the kernel's {@code /dev/urandom}
 * (its CSPRNG, which {@link SecureRandom} itself reads on Linux): a short-lived CLI does not pay
 * for the security providers' set-up and a {@code SecureRandom}'s seeding (10–30 ms of a {@code
 * stamp run}). Without {@code /dev/urandom} (an unusual chroot), a {@code SecureRandom} made on
 * first need.
 */
public final class RandomBytes {

  private static final String URANDOM = "/dev/urandom";

  private RandomBytes() {}

  /** {@code n} random bytes. */
  public static byte[] next(int n) {
    byte[] b = new byte[n];
    try (InputStream in = new FileInputStream(URANDOM)) {
      if (in.readNBytes(b, 0, n) == n) {
        return b;
      }
    } catch (IOException e) {
      // fall through to the JDK's generator
    }
    Fallback.RANDOM.nextBytes(b);
    return b;
  }

  /** {@code n} random bytes as {@code 2n} lower-case hex digits. */
  public static String hex(int n) {
    return HexFormat.of().formatHex(next(n));
  }

  private static final class Fallback {
    static final SecureRandom RANDOM = new SecureRandom();
  }
}
