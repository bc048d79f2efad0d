package dev.stamp.runtime.registry;

import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import java.util.List;

/**
 * What a pull did: the image now in the store (tagged with the pulled reference), the digest of the
 * manifest the reference named in the registry (an index's digest when it named one), where it came
 * from, and each blob's fate.
 */
public record PullResult(
    Image image, Digest remoteDigest, RegistryEndpoint source, List<BlobTransfer> blobs) {

  public PullResult {
    blobs = List.copyOf(blobs);
  }

  /** Bytes downloaded (blobs that were already in the store do not count). */
  public long bytesPulled() {
    return blobs.stream()
        .filter(b -> b.status() == TransferListener.Status.PULLED)
        .mapToLong(b -> b.blob().size())
        .sum();
  }

  public long blobsPulled() {
    return blobs.stream().filter(b -> b.status() == TransferListener.Status.PULLED).count();
  }
}
