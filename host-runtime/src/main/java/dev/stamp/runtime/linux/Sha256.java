package dev.stamp.runtime.linux;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of small inputs as lowercase hex, through the JDK (names derived from a root's path, a
 * service's name, the shim's bytes). Streams of many bytes go through {@link NativeSha256}.
 */
public final class Sha256 {
  private Sha256() {}

  /** The SHA-256 of {@code bytes} as 64 lowercase hex digits. */
  public static String hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The SHA-256 of {@code text}'s UTF-8 bytes as 64 lowercase hex digits. */
  public static String hex(String text) {
    return hex(text.getBytes(StandardCharsets.UTF_8));
  }
}
