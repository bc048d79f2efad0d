package dev.stamp.runtime.image;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * Writes one blob into the store: bytes go to a temp file on the store's filesystem while their
 * sha256 is computed; {@link #commit} fsyncs, checks the expected digest and renames the file into
 * {@code blobs/sha256/}. Closing without a commit (an error, an interrupted download) deletes the
 * temp file, so no partial blob is ever visible.
 */
public final class BlobWriter implements AutoCloseable {

  /** Bytes gathered per write to the temp file (a downloaded body arrives in ~256 KB pieces). */
  private static final int BUFFER = 1 << 20;

  /** The first buffer's size: a config or a manifest never needs the large one. */
  private static final int FIRST_BUFFER = 64 << 10;

  private final BlobStore blobs;
  private final Path temp;
  private final FileChannel channel;
  private final MessageDigest md = Digest.sha256();

  /**
   * Direct, so that each byte is copied once on its way in: libcrypto hashes it where it is ({@link
   * dev.stamp.runtime.linux.NativeSha256}) and the channel writes it without the JDK's copy into a
   * temporary direct buffer. {@link #FIRST_BUFFER} bytes at first, {@link #BUFFER} once that
   * filled.
   */
  private ByteBuffer buffer;

  private final Stream stream = new Stream();
  private long count;
  private boolean done;

  BlobWriter(BlobStore blobs, Path tempDir) throws IOException {
    this.blobs = blobs;
    // named after this process (RootOperations): a recovery pass removes it once this process is
    // gone
    this.temp =
        tempDir.resolve(
            "blob-" + dev.stamp.runtime.fs.RootOperations.tag() + "-" + UUID.randomUUID());
    this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /** Where to write the blob's bytes (do not close it; commit or close the writer). */
  public OutputStream stream() {
    return stream;
  }

  /** Writes {@code src}'s remaining bytes (it is left at its limit). */
  public void write(ByteBuffer src) throws IOException {
    count += src.remaining();
    while (src.hasRemaining()) {
      ByteBuffer into = buffer();
      if (src.remaining() <= into.remaining()) {
        into.put(src);
      } else {
        int end = src.limit();
        src.limit(src.position() + into.remaining());
        into.put(src);
        src.limit(end);
      }
      if (!into.hasRemaining()) {
        drain();
        if (into.capacity() < BUFFER) {
          buffer = ByteBuffer.allocateDirect(BUFFER); // the first one filled: a large blob
        }
      }
    }
  }

  /** Bytes written so far. */
  public long size() {
    return count;
  }

  private ByteBuffer buffer() {
    if (buffer == null) {
      buffer = ByteBuffer.allocateDirect(FIRST_BUFFER);
    }
    return buffer;
  }

  /** Hashes and writes what the buffer holds. */
  private void drain() throws IOException {
    if (buffer == null || buffer.position() == 0) {
      return;
    }
    buffer.flip();
    md.update(buffer.duplicate());
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
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
      drain();
      channel.force(true);
      channel.close();
      Digest actual = Digest.of(md);
      if (expected != null && !expected.equals(actual)) {
        throw HostRuntimeException.failed(
            "store blob " + expected + ": content digest is " + actual + " (corrupted download?)");
      }
      blobs.install(temp, actual);
      done = true;
      return Descriptor.of(mediaType, actual, count);
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

  /** The writer as an output stream: bytes go through the same buffer. */
  private final class Stream extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      BlobWriter.this.write(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public void close() {
      // The writer owns the channel.
    }
  }
}
