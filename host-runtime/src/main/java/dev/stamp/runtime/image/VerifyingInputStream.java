package dev.stamp.runtime.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes a blob's bytes through and, on reaching its end, throws {@link BlobCorruptedException} if
 * they do not hash to the expected digest. Consumers read to the end before trusting the data (or
 * treat an early stop as unverified).
 */
final class VerifyingInputStream extends FilterInputStream {

  private final Digest expected;
  private final MessageDigest md;
  private boolean verified;

  VerifyingInputStream(InputStream in, Digest expected) {
    super(in);
    this.expected = expected;
    this.md = expected.newMessageDigest();
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b < 0) {
      verify();
    } else {
      md.update((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n < 0) {
      verify();
    } else {
      md.update(buf, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    return DigestingInputStream.skipByReading(this, n);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void verify() throws BlobCorruptedException {
    if (verified) {
      return;
    }
    verified = true;
    Digest actual = Digest.of(md);
    if (!actual.equals(expected)) {
      throw new BlobCorruptedException(expected, actual);
    }
  }
}
