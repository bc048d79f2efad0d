package dev.stamp.runtime.layer;

import static dev.stamp.runtime.layer.TarFormat.BLOCK;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads ustar, PAX (POSIX.1-2001) and GNU tar archives, keeping what tools disagree on exactly as
 * written: names are not normalised (an absolute or {@code ../} name stays visible for the caller
 * to refuse), and xattr values stay raw bytes. Sparse files are refused.
 */
public final class TarReader {

  private final InputStream in;
  private final byte[] header = new byte[BLOCK];
  private final Map<String, byte[]> globalPax = new LinkedHashMap<>();
  private long remaining;
  private long padding;
  private long offset;
  private boolean ended;

  public TarReader(InputStream in) {
    this.in = in;
  }

  /** The next entry, or null at the end of the archive. */
  public TarEntry next() throws IOException {
    skipRest();
    if (ended) {
      return null;
    }
    Map<String, byte[]> pax = new LinkedHashMap<>(globalPax);
    String longName = null;
    String longLink = null;
    while (true) {
      long headerOffset = offset;
      if (!readBlock()) {
        if (headerOffset == 0) {
          throw new BadTarException("empty input: not a tar archive");
        }
        throw new BadTarException("truncated archive: no end-of-archive marker");
      }
      if (isZero(header)) {
        ended = true;
        return null;
      }
      verifyChecksum(headerOffset);
      byte type = header[TarFormat.TYPE];
      long size = number(TarFormat.SIZE, 12, "size");
      switch (type) {
        case TarFormat.PAX -> pax.putAll(paxRecords(readData(size)));
        case TarFormat.PAX_GLOBAL -> {
          Map<String, byte[]> records = paxRecords(readData(size));
          globalPax.putAll(records);
          pax.putAll(records);
        }
        case TarFormat.GNU_LONGNAME -> longName = cString(readData(size));
        case TarFormat.GNU_LONGLINK -> longLink = cString(readData(size));
        case TarFormat.GNU_SPARSE ->
            throw new BadTarException(
                "entry \"" + plainName() + "\": sparse files are not supported");
        default -> {
          return entry(type, size, pax, longName, longLink);
        }
      }
    }
  }

  /** The data of the current entry (regular files), {@code size} bytes long. */
  public InputStream data() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int n = in.read(buf, off, (int) Math.min(len, remaining));
        if (n < 0) {
          throw new EOFException("truncated archive: entry data ends early");
        }
        remaining -= n;
        offset += n;
        return n;
      }
    };
  }

  /** Reads whatever follows the end-of-archive marker, so a digest of the stream is complete. */
  public void drain() throws IOException {
    skipRest();
    in.transferTo(java.io.OutputStream.nullOutputStream());
  }

  private TarEntry entry(
      byte type, long size, Map<String, byte[]> pax, String longName, String longLink)
      throws IOException {
    String name = longName != null ? longName : plainName();
    String link =
        longLink != null
            ? longLink
            : TarFormat.string(header, TarFormat.LINKNAME, TarFormat.LINKNAME_LEN);
    long uid = number(TarFormat.UID, 8, "uid");
    long gid = number(TarFormat.GID, 8, "gid");
    long mtime = number(TarFormat.MTIME, 12, "mtime");
    int nanos = 0;
    int devMajor = (int) number(TarFormat.DEVMAJOR, 8, "devmajor");
    int devMinor = (int) number(TarFormat.DEVMINOR, 8, "devminor");
    Map<String, byte[]> xattrs = new HashMap<>();
    for (Map.Entry<String, byte[]> record : pax.entrySet()) {
      String key = record.getKey();
      String value = new String(record.getValue(), StandardCharsets.UTF_8);
      switch (key) {
        case "path" -> name = value;
        case "linkpath" -> link = value;
        case "size" -> size = decimal(key, value);
        case "uid" -> uid = decimal(key, value);
        case "gid" -> gid = decimal(key, value);
        case "SCHILY.devmajor" -> devMajor = (int) decimal(key, value);
        case "SCHILY.devminor" -> devMinor = (int) decimal(key, value);
        case "mtime" -> {
          long[] t = time(value);
          mtime = t[0];
          nanos = (int) t[1];
        }
        default -> {
          if (key.startsWith(TarFormat.XATTR_PREFIX)) {
            xattrs.put(key.substring(TarFormat.XATTR_PREFIX.length()), record.getValue());
          } else if (key.startsWith(TarFormat.LIBARCHIVE_XATTR_PREFIX)) {
            String attr =
                URLDecoder.decode(
                    key.substring(TarFormat.LIBARCHIVE_XATTR_PREFIX.length()),
                    StandardCharsets.UTF_8);
            xattrs.putIfAbsent(attr, Base64.getDecoder().decode(value.strip()));
          } else if (key.startsWith("GNU.sparse.")) {
            throw new BadTarException("entry \"" + name + "\": sparse files are not supported");
          }
        }
      }
    }
    TarEntry.Type kind = type(type, name);
    int mode = (int) (number(TarFormat.MODE, 8, "mode") & 07777);
    remaining = size;
    padding = TarFormat.padding(size);
    if (kind != TarEntry.Type.FILE && kind != TarEntry.Type.DIRECTORY && size != 0) {
      // Hard links may carry a size in some writers; their data is not part of the entry.
      size = 0;
    }
    return new TarEntry(
        name, kind, mode, uid, gid, size, mtime, nanos, link, devMajor, devMinor, xattrs);
  }

  private TarEntry.Type type(byte type, String name) throws BadTarException {
    return switch (type) {
      case TarFormat.REG, TarFormat.AREG, TarFormat.CONT ->
          name.endsWith("/") ? TarEntry.Type.DIRECTORY : TarEntry.Type.FILE;
      case TarFormat.LNK -> TarEntry.Type.HARDLINK;
      case TarFormat.SYM -> TarEntry.Type.SYMLINK;
      case TarFormat.CHR -> TarEntry.Type.CHAR_DEVICE;
      case TarFormat.BLK -> TarEntry.Type.BLOCK_DEVICE;
      case TarFormat.DIR -> TarEntry.Type.DIRECTORY;
      case TarFormat.FIFO -> TarEntry.Type.FIFO;
      default ->
          throw new BadTarException(
              "entry \"" + name + "\": unsupported tar entry type '" + (char) type + "'");
    };
  }

  /** The name from the header: {@code prefix/name} for POSIX ustar, {@code name} otherwise. */
  private String plainName() {
    String name = TarFormat.string(header, TarFormat.NAME, TarFormat.NAME_LEN);
    boolean posix =
        header[TarFormat.MAGIC] == 'u'
            && Arrays.equals(
                Arrays.copyOfRange(header, TarFormat.MAGIC, TarFormat.MAGIC + 6),
                "ustar\0".getBytes(StandardCharsets.US_ASCII));
    if (posix && header[TarFormat.PREFIX] != 0) {
      return TarFormat.string(header, TarFormat.PREFIX, TarFormat.PREFIX_LEN) + "/" + name;
    }
    return name;
  }

  private void verifyChecksum(long headerOffset) throws IOException {
    long stored;
    try {
      stored = number(TarFormat.CHKSUM, 8, "checksum");
    } catch (BadTarException e) {
      stored = -1;
    }
    if (stored != TarFormat.checksum(header) && stored != TarFormat.signedChecksum(header)) {
      throw new BadTarException(
          "bad header checksum at byte " + headerOffset + ": not a tar archive, or corrupted");
    }
  }

  private long number(int off, int len, String field) throws BadTarException {
    if ((header[off] & 0x80) != 0) {
      if ((header[off] & 0x40) != 0) {
        throw new BadTarException("negative " + field + " in header of \"" + plainName() + "\"");
      }
      long value = header[off] & 0x3f;
      for (int i = off + 1; i < off + len; i++) {
        if (value > (Long.MAX_VALUE >> 8)) {
          throw new BadTarException(field + " too large in header of \"" + plainName() + "\"");
        }
        value = (value << 8) | (header[i] & 0xff);
      }
      return value;
    }
    long value = 0;
    int i = off;
    int end = off + len;
    while (i < end && (header[i] == ' ' || header[i] == 0)) {
      i++;
    }
    for (; i < end && header[i] != ' ' && header[i] != 0; i++) {
      int digit = header[i] - '0';
      if (digit < 0 || digit > 7) {
        throw new BadTarException(
            "invalid octal " + field + " in header at byte " + (offset - BLOCK));
      }
      value = (value << 3) | digit;
    }
    return value;
  }

  private static long decimal(String key, String value) throws BadTarException {
    try {
      long v = Long.parseLong(value.strip());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new BadTarException("invalid PAX " + key + " \"" + value + "\"");
    }
  }

  /** PAX time "SECONDS[.FRACTION]" to {seconds, nanos}. */
  private static long[] time(String value) throws BadTarException {
    try {
      String v = value.strip();
      int dot = v.indexOf('.');
      if (dot < 0) {
        return new long[] {Long.parseLong(v), 0};
      }
      long seconds = Long.parseLong(v.substring(0, dot));
      String frac = (v.substring(dot + 1) + "000000000").substring(0, 9);
      long nanos = Long.parseLong(frac);
      if (v.startsWith("-") && nanos > 0) {
        seconds -= 1;
        nanos = 1_000_000_000 - nanos;
      }
      return new long[] {seconds, nanos};
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw new BadTarException("invalid PAX mtime \"" + value + "\"");
    }
  }

  /** Parses PAX records "LEN KEY=VALUE\n", values as raw bytes. */
  private static Map<String, byte[]> paxRecords(byte[] data) throws BadTarException {
    Map<String, byte[]> records = new LinkedHashMap<>();
    int pos = 0;
    while (pos < data.length) {
      if (data[pos] == 0) {
        break;
      }
      int space = pos;
      while (space < data.length && data[space] != ' ') {
        space++;
      }
      int length;
      try {
        length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new BadTarException("malformed PAX header record at byte " + pos);
      }
      int end = pos + length;
      if (length <= 0 || end > data.length || data[end - 1] != '\n') {
        throw new BadTarException("malformed PAX header record at byte " + pos);
      }
      int eq = space + 1;
      while (eq < end && data[eq] != '=') {
        eq++;
      }
      if (eq >= end) {
        throw new BadTarException("malformed PAX header record at byte " + pos);
      }
      String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
      records.put(key, Arrays.copyOfRange(data, eq + 1, end - 1));
      pos = end;
    }
    return records;
  }

  private byte[] readData(long size) throws IOException {
    if (size > 16 * 1024 * 1024) {
      throw new BadTarException("extended header of " + size + " bytes is too large");
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length != size) {
      throw new BadTarException("truncated archive: extended header ends early");
    }
    offset += size;
    remaining = 0;
    padding = TarFormat.padding(size);
    skipRest();
    return data;
  }

  private static String cString(byte[] data) {
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return new String(data, 0, end, StandardCharsets.UTF_8);
  }

  /** Reads (never skips, so a digesting stream underneath sees every byte) to the next header. */
  private void skipRest() throws IOException {
    long toSkip = remaining + padding;
    remaining = 0;
    padding = 0;
    byte[] scratch = new byte[(int) Math.min(64 * 1024, Math.max(toSkip, 1))];
    while (toSkip > 0) {
      int n = in.read(scratch, 0, (int) Math.min(scratch.length, toSkip));
      if (n < 0) {
        throw new BadTarException("truncated archive: entry data ends early");
      }
      toSkip -= n;
      offset += n;
    }
  }

  private boolean readBlock() throws IOException {
    int n = in.readNBytes(header, 0, BLOCK);
    offset += n;
    if (n == 0) {
      return false;
    }
    if (n < BLOCK) {
      throw new BadTarException("truncated archive: partial header at byte " + (offset - n));
    }
    return true;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
