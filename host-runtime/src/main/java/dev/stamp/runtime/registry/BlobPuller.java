package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.BlobWriter;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, streamed into the store through a {@link BlobWriter}: the
 * bytes are hashed on the way and the blob appears only when complete and matching its digest. A
 * failed, short, oversized or interrupted download leaves nothing behind.
 */
final class BlobPuller implements RegistryOperation<Descriptor> {

  private final Descriptor blob;
  private final ImageStore store;

  BlobPuller(Descriptor blob, ImageStore store) {
    this.blob = blob;
    this.store = store;
  }

  @Override
  public String what() {
    return "blob " + blob.digest();
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public URI uri(RegistryClient client) {
    return client.repositoryUri("blobs/" + blob.digest());
  }

  @Override
  public RegistryErrorCode notFound() {
    return RegistryErrorCode.BLOB_UNKNOWN;
  }

  @Override
  public Descriptor onSuccess(Transport.Answer answer) throws IOException, HostRuntimeException {
    try (BlobWriter writer = store.blobWriter()) {
      copy(answer.body(), writer);
      return writer.commit(blob.mediaType(), blob.digest());
    }
  }

  /**
   * Copies exactly {@code blob.size()} bytes, buffer by buffer as the client delivers them: more is
   * refused, fewer is a broken transfer.
   */
  private void copy(TimedBodyStream in, BlobWriter out) throws IOException, HostRuntimeException {
    long total = 0;
    ByteBuffer next;
    while ((next = in.nextBuffer()) != null) {
      total += next.remaining();
      if (total > blob.size()) {
        throw HostRuntimeException.failed(
            "the registry sent more than the " + blob.size() + " bytes the manifest lists");
      }
      write(out, next);
    }
    if (total < blob.size()) {
      throw new IOException("connection ended after " + total + " of " + blob.size() + " bytes");
    }
  }

  private void write(BlobWriter out, ByteBuffer bytes) throws HostRuntimeException {
    try {
      out.write(bytes);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "write to the image store " + store.layout() + ": " + e.getMessage(), e);
    }
  }
}
