package dev.stamp.runtime.layer;

import static dev.stamp.runtime.layer.TarFormat.BLOCK;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a POSIX tar (ustar headers, PAX records only when a value does not fit: long names, big
 * ids or sizes, sub-second or negative mtimes, xattrs). Owner names are left empty. Output depends
 * only on the entries, so equal input gives equal bytes.
 */
public final class TarWriter {

  private static final long MAX_OCTAL_7 = 07777777L;
  private static final long MAX_OCTAL_11 = 077777777777L;
  private static final byte[] ZEROS = new byte[BLOCK];

  private final OutputStream out;
  private long written;

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Writes one entry; {@code data} must supply exactly {@code entry.size()} bytes for files. */
  public void write(TarEntry entry, InputStream data) throws IOException {
    Map<String, byte[]> pax = new LinkedHashMap<>();
    byte[] header = new byte[BLOCK];
    byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
    if (!putName(header, name)) {
      pax.put("path", name);
    }
    byte[] link = entry.linkName().getBytes(StandardCharsets.UTF_8);
    if (link.length > TarFormat.LINKNAME_LEN) {
      pax.put("linkpath", link);
    } else {
      System.arraycopy(link, 0, header, TarFormat.LINKNAME, link.length);
    }
    long size = entry.hasData() ? entry.size() : 0;
    octal(header, TarFormat.MODE, 8, entry.mode() & 07777);
    octalOrPax(header, TarFormat.UID, 8, entry.uid(), MAX_OCTAL_7, "uid", pax);
    octalOrPax(header, TarFormat.GID, 8, entry.gid(), MAX_OCTAL_7, "gid", pax);
    octalOrPax(header, TarFormat.SIZE, 12, size, MAX_OCTAL_11, "size", pax);
    if (entry.mtimeSeconds() < 0
        || entry.mtimeSeconds() > MAX_OCTAL_11
        || entry.mtimeNanos() != 0) {
      pax.put("mtime", ascii(mtime(entry.mtimeSeconds(), entry.mtimeNanos())));
      octal(header, TarFormat.MTIME, 12, Math.max(0, Math.min(entry.mtimeSeconds(), MAX_OCTAL_11)));
    } else {
      octal(header, TarFormat.MTIME, 12, entry.mtimeSeconds());
    }
    header[TarFormat.TYPE] = typeFlag(entry.type());
    if (entry.type() == TarEntry.Type.CHAR_DEVICE || entry.type() == TarEntry.Type.BLOCK_DEVICE) {
      octal(header, TarFormat.DEVMAJOR, 8, entry.devMajor());
      octal(header, TarFormat.DEVMINOR, 8, entry.devMinor());
    }
    for (Map.Entry<String, byte[]> xattr : entry.xattrs().entrySet()) {
      pax.put(TarFormat.XATTR_PREFIX + xattr.getKey(), xattr.getValue());
    }
    if (!pax.isEmpty()) {
      writePax(entry.name(), pax);
    }
    writeHeader(header);
    if (size > 0) {
      writeData(entry, data, size);
    }
  }

  /** Writes the end-of-archive marker (two zero blocks). */
  public void finish() throws IOException {
    out.write(ZEROS);
    out.write(ZEROS);
    written += 2 * BLOCK;
    out.flush();
  }

  /** Bytes written so far. */
  public long written() {
    return written;
  }

  private void writeData(TarEntry entry, InputStream data, long size) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int n = data.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException(
            "archive \""
                + entry.name()
                + "\": file shrank while being read ("
                + left
                + " bytes short)");
      }
      out.write(buf, 0, n);
      left -= n;
    }
    written += size;
    int pad = (int) TarFormat.padding(size);
    out.write(ZEROS, 0, pad);
    written += pad;
  }

  private void writePax(String entryName, Map<String, byte[]> records) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> record : records.entrySet()) {
      body.write(paxRecord(record.getKey(), record.getValue()));
    }
    byte[] data = body.toByteArray();
    byte[] header = new byte[BLOCK];
    byte[] name = paxName(entryName).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(name, 0, header, TarFormat.NAME, Math.min(name.length, TarFormat.NAME_LEN));
    octal(header, TarFormat.MODE, 8, 0644);
    octal(header, TarFormat.UID, 8, 0);
    octal(header, TarFormat.GID, 8, 0);
    octal(header, TarFormat.SIZE, 12, data.length);
    octal(header, TarFormat.MTIME, 12, 0);
    header[TarFormat.TYPE] = TarFormat.PAX;
    writeHeader(header);
    out.write(data);
    int pad = (int) TarFormat.padding(data.length);
    out.write(ZEROS, 0, pad);
    written += data.length + pad;
  }

  /** Go's convention: {@code dir/PaxHeaders.0/base}, cut to 100 bytes. */
  private static String paxName(String entryName) {
    String trimmed =
        entryName.endsWith("/") ? entryName.substring(0, entryName.length() - 1) : entryName;
    int slash = trimmed.lastIndexOf('/');
    String dir = slash < 0 ? "" : trimmed.substring(0, slash + 1);
    String base = slash < 0 ? trimmed : trimmed.substring(slash + 1);
    String name = dir + "PaxHeaders.0/" + base;
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= TarFormat.NAME_LEN) {
      return name;
    }
    return new String(bytes, 0, TarFormat.NAME_LEN, StandardCharsets.UTF_8).replace("\uFFFD", "");
  }

  static byte[] paxRecord(String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int base = 1 + k.length + 1 + value.length + 1;
    int length = base + Integer.toString(base).length();
    if (Integer.toString(length).length() > Integer.toString(base).length()) {
      length++;
    }
    ByteArrayOutputStream record = new ByteArrayOutputStream(length);
    record.writeBytes(ascii(length + " "));
    record.writeBytes(k);
    record.write('=');
    record.writeBytes(value);
    record.write('\n');
    return record.toByteArray();
  }

  private void writeHeader(byte[] header) throws IOException {
    System.arraycopy(ascii("ustar\0"), 0, header, TarFormat.MAGIC, 6);
    header[TarFormat.VERSION] = '0';
    header[TarFormat.VERSION + 1] = '0';
    long sum = TarFormat.checksum(header);
    byte[] chk = ascii(String.format("%06o", sum));
    System.arraycopy(chk, 0, header, TarFormat.CHKSUM, 6);
    header[TarFormat.CHKSUM + 6] = 0;
    header[TarFormat.CHKSUM + 7] = ' ';
    out.write(header);
    written += BLOCK;
  }

  /** Puts the name in name (≤100 bytes) or prefix/name (ustar split); false if neither fits. */
  private static boolean putName(byte[] header, byte[] name) {
    if (name.length <= TarFormat.NAME_LEN) {
      System.arraycopy(name, 0, header, TarFormat.NAME, name.length);
      return true;
    }
    int limit = Math.min(name.length - 2, TarFormat.PREFIX_LEN);
    for (int slash = limit; slash > 0; slash--) {
      if (name[slash] == '/' && name.length - slash - 1 <= TarFormat.NAME_LEN) {
        System.arraycopy(name, 0, header, TarFormat.PREFIX, slash);
        System.arraycopy(name, slash + 1, header, TarFormat.NAME, name.length - slash - 1);
        return true;
      }
    }
    return false;
  }

  private static void octalOrPax(
      byte[] header, int off, int len, long value, long max, String key, Map<String, byte[]> pax) {
    if (value > max) {
      pax.put(key, ascii(Long.toString(value)));
      octal(header, off, len, 0);
    } else {
      octal(header, off, len, value);
    }
  }

  /** Zero-padded octal in {@code len - 1} digits plus a NUL, as GNU tar and Go write it. */
  private static void octal(byte[] header, int off, int len, long value) {
    String digits = Long.toOctalString(value);
    String padded = "0".repeat(Math.max(0, len - 1 - digits.length())) + digits;
    byte[] bytes = ascii(padded);
    System.arraycopy(bytes, 0, header, off, len - 1);
    header[off + len - 1] = 0;
  }

  private static String mtime(long seconds, int nanos) {
    if (nanos == 0) {
      return Long.toString(seconds);
    }
    if (seconds < 0) {
      long s = seconds + 1;
      long n = 1_000_000_000L - nanos;
      return (s == 0 ? "-0" : Long.toString(s)) + "." + String.format("%09d", n);
    }
    return seconds + "." + String.format("%09d", nanos);
  }

  private static byte typeFlag(TarEntry.Type type) {
    return switch (type) {
      case FILE -> TarFormat.REG;
      case HARDLINK -> TarFormat.LNK;
      case SYMLINK -> TarFormat.SYM;
      case CHAR_DEVICE -> TarFormat.CHR;
      case BLOCK_DEVICE -> TarFormat.BLK;
      case DIRECTORY -> TarFormat.DIR;
      case FIFO -> TarFormat.FIFO;
    };
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
