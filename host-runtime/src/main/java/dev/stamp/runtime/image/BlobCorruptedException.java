package dev.stamp.runtime.image;

import java.io.IOException;

/**
 * A stored blob whose bytes no longer hash to its name (disk corruption, tampering). Thrown by blob
 * streams at their end; callers turn it into a FAILED {@code HostRuntimeException}.
 */
public final class BlobCorruptedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Digest expected;

  public BlobCorruptedException(Digest expected, Digest actual) {
    super("blob " + expected + " is corrupted: its content hashes to " + actual);
    this.expected = expected;
  }

  public Digest expected() {
    return expected;
  }
}
