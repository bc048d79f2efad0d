package dev.stamp.runtime.registry;

import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageReference;
import java.util.List;

/** What a push did: the digest the reference now names in the registry, and each blob's fate. */
public record PushResult(
    ImageReference reference, Digest digest, long manifestSize, List<BlobTransfer> blobs) {

  public PushResult {
    blobs = List.copyOf(blobs);
  }

  public long count(TransferListener.Status status) {
    return blobs.stream().filter(b -> b.status() == status).count();
  }
}
