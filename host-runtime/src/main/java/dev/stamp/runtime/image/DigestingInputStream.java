package dev.stamp.runtime.image;

import dev.stamp.runtime.HostRuntimeException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Counts and digests the bytes read through it (sha256 by default, or the algorithm of an expected
 * digest), so content is verified while it streams.
 */
public final class DigestingInputStream extends FilterInputStream {

  private final MessageDigest md;
  private long size;

  public DigestingInputStream(InputStream in) {
    this(in, Digest.sha256());
  }

  public DigestingInputStream(InputStream in, MessageDigest md) {
    super(in);
    this.md = md;
  }

  /** A stream that digests with the algorithm of {@code expected}. */
  public static DigestingInputStream verifying(InputStream in, Digest expected) {
    return new DigestingInputStream(in, expected.newMessageDigest());
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      md.update((byte) b);
      size++;
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n > 0) {
      md.update(buf, off, n);
      size += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    return skipByReading(this, n);
  }

  /**
   * Skips {@code n} bytes by reading them through {@code stream}'s own {@code read}, so a digesting
   * or verifying stream hashes what is skipped too ({@code FilterInputStream.skip} would pass the
   * bytes by unseen); fewer at the end of the stream.
   */
  static long skipByReading(InputStream stream, long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(8192, Math.max(1, n))];
    long skipped = 0;
    while (skipped < n) {
      int r = stream.read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Bytes read so far. */
  public long size() {
    return size;
  }

  /** The digest of everything read (call once, at the end). */
  public Digest digest() {
    return Digest.of(md);
  }

  /** Reads to the end; FAILED "{@code what}: content digest … does not match …" if wrong. */
  public void drainAndVerify(Digest expected, String what)
      throws IOException, HostRuntimeException {
    transferTo(java.io.OutputStream.nullOutputStream());
    Digest actual = digest();
    if (!actual.equals(expected)) {
      throw HostRuntimeException.failed(
          what + ": content digest " + actual + " does not match expected " + expected);
    }
  }
}
