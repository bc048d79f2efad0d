package dev.stamp.runtime.image;

import dev.stamp.runtime.HostRuntimeException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * Writes one blob into the store: bytes go to a temp file on the store's filesystem while their
 * sha256 is computed; {@link #commit} fsyncs, checks the expected digest and renames the file into
 * {@code blobs/sha256/}. Closing without a commit (an error, an interrupted download) deletes the
 * temp file, so no partial blob is ever visible.
 */
public final class BlobWriter implements AutoCloseable {

  /** Bytes gathered per write to the temp file (a downloaded body arrives in ~16 KB pieces). */
  private static final int BUFFER = 1 << 20;

  private final BlobStore blobs;
  private final Path temp;
  private final FileChannel channel;
  private final MessageDigest md = Digest.sha256();
  private final CountingStream stream;
  private boolean done;

  BlobWriter(BlobStore blobs, Path tempDir) throws IOException {
    this.blobs = blobs;
    // named after this process (RootOperations): a recovery pass removes it once this process is
    // gone
    this.temp =
        tempDir.resolve(
            "blob-" + dev.stamp.runtime.fs.RootOperations.tag() + "-" + UUID.randomUUID());
    this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    this.stream =
        new CountingStream(
            new DigestOutputStream(
                new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER), md));
  }

  /** Where to write the blob's bytes (do not close it; commit or close the writer). */
  public OutputStream stream() {
    return stream;
  }

  /** Bytes written so far. */
  public long size() {
    return stream.count;
  }

  /**
   * Makes the blob visible and returns its descriptor. With {@code expected} non-null, content with
   * another digest is refused (FAILED naming both) and nothing is stored.
   */
  public Descriptor commit(String mediaType, Digest expected) throws HostRuntimeException {
    if (done) {
      throw new IllegalStateException("blob writer already committed or closed");
    }
    try {
      stream.flush();
      channel.force(true);
      channel.close();
      Digest actual = Digest.of(md);
      if (expected != null && !expected.equals(actual)) {
        throw HostRuntimeException.failed(
            "store blob " + expected + ": content digest is " + actual + " (corrupted download?)");
      }
      blobs.install(temp, actual);
      done = true;
      return Descriptor.of(mediaType, actual, stream.count);
    } catch (IOException e) {
      throw HostRuntimeException.failed("store blob: " + e.getMessage(), e);
    } finally {
      close();
    }
  }

  /** Discards the blob unless it was committed. */
  @Override
  public void close() {
    done = true;
    try {
      channel.close();
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // The temp dir is swept by the store's garbage collection.
    }
  }

  private static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void close() {
      // The writer owns the channel.
    }
  }
}
