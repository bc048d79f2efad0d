package dev.stamp.runtime.layer;

import java.nio.charset.StandardCharsets;

/** Offsets and helpers of the ustar header (POSIX.1-2001) shared by reader and writer. */
final class TarFormat {

  static final int BLOCK = 512;
  static final int NAME = 0;
  static final int NAME_LEN = 100;
  static final int MODE = 100;
  static final int UID = 108;
  static final int GID = 116;
  static final int SIZE = 124;
  static final int MTIME = 136;
  static final int CHKSUM = 148;
  static final int TYPE = 156;
  static final int LINKNAME = 157;
  static final int LINKNAME_LEN = 100;
  static final int MAGIC = 257;
  static final int VERSION = 263;
  static final int UNAME = 265;
  static final int GNAME = 297;
  static final int DEVMAJOR = 329;
  static final int DEVMINOR = 337;
  static final int PREFIX = 345;
  static final int PREFIX_LEN = 155;

  static final byte REG = '0';
  static final byte AREG = 0;
  static final byte LNK = '1';
  static final byte SYM = '2';
  static final byte CHR = '3';
  static final byte BLK = '4';
  static final byte DIR = '5';
  static final byte FIFO = '6';
  static final byte CONT = '7';
  static final byte PAX = 'x';
  static final byte PAX_GLOBAL = 'g';
  static final byte GNU_LONGNAME = 'L';
  static final byte GNU_LONGLINK = 'K';
  static final byte GNU_SPARSE = 'S';

  static final String XATTR_PREFIX = "SCHILY.xattr.";
  static final String LIBARCHIVE_XATTR_PREFIX = "LIBARCHIVE.xattr.";

  private TarFormat() {}

  /** Bytes to skip after {@code size} bytes of data to reach the next header. */
  static long padding(long size) {
    long rem = size % BLOCK;
    return rem == 0 ? 0 : BLOCK - rem;
  }

  /** Sum of the header bytes with the checksum field counted as spaces (unsigned). */
  static long checksum(byte[] header) {
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= CHKSUM && i < CHKSUM + 8) ? ' ' : (header[i] & 0xff);
    }
    return sum;
  }

  /** The same sum with bytes taken as signed (old tars computed it so). */
  static long signedChecksum(byte[] header) {
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= CHKSUM && i < CHKSUM + 8) ? ' ' : header[i];
    }
    return sum;
  }

  static String string(byte[] buf, int off, int len) {
    int end = off;
    while (end < off + len && buf[end] != 0) {
      end++;
    }
    return new String(buf, off, end - off, StandardCharsets.UTF_8);
  }
}
