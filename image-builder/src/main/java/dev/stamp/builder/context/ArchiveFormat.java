package dev.stamp.builder.context;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What {@code ADD local-file dest} finds in a local file, by content (never by name): a tar
 * archive, possibly compressed, is extracted; anything else is copied as is.
 */
public enum ArchiveFormat {
  TAR,
  TAR_GZIP,
  TAR_BZIP2,
  TAR_XZ,
  TAR_ZSTD,
  NOT_AN_ARCHIVE;

  /** How many leading bytes {@link #detect} needs. */
  public static final int HEADER_BYTES = 512;

  /** The compression by magic bytes; for uncompressed data, a tar header ({@code ustar} at 257). */
  public static ArchiveFormat detect(byte[] header) {
    if (startsWith(header, 0x1f, 0x8b)) {
      return TAR_GZIP;
    }
    if (startsWith(header, 'B', 'Z', 'h')) {
      return TAR_BZIP2;
    }
    if (startsWith(header, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
      return TAR_XZ;
    }
    if (startsWith(header, 0x28, 0xb5, 0x2f, 0xfd)) {
      return TAR_ZSTD;
    }
    return isTarHeader(header) ? TAR : NOT_AN_ARCHIVE;
  }

  /** A POSIX/GNU tar header: the magic, or a valid header checksum for old v7 archives. */
  public static boolean isTarHeader(byte[] h) {
    if (h.length < 512) {
      return false;
    }
    String magic = new String(Arrays.copyOfRange(h, 257, 262), StandardCharsets.US_ASCII);
    if (magic.equals("ustar")) {
      return true;
    }
    String stored =
        new String(Arrays.copyOfRange(h, 148, 156), StandardCharsets.US_ASCII)
            .replace("\0", "")
            .strip();
    if (stored.isEmpty() || !stored.matches("[0-7]+")) {
      return false;
    }
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
    }
    return sum == Long.parseLong(stored, 8);
  }

  private static boolean startsWith(byte[] data, int... magic) {
    if (data.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((data[i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
