package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * What a pull did: the image now in the store (tagged with the pulled reference), the digest of the
 * manifest the reference named in the registry (an index's digest when it named one), where it came
 * from, and each blob's fate. A pull that found the image up to date read no image object; its
 * {@link #image()} and {@link #blobs()} (all {@code EXISTS}) are read from the store when asked.
 */
public final class PullResult {

  private final ImageStore store;
  private final ImageReference reference;
  private final Digest remoteDigest;
  private final RegistryEndpoint source;
  private final boolean upToDate;
  private Image image;
  private List<BlobTransfer> blobs;

  private PullResult(
      ImageStore store,
      ImageReference reference,
      Digest remoteDigest,
      RegistryEndpoint source,
      boolean upToDate,
      List<BlobTransfer> blobs) {
    this.store = store;
    this.reference = reference;
    this.remoteDigest = Objects.requireNonNull(remoteDigest);
    this.source = source;
    this.upToDate = upToDate;
    this.blobs = blobs == null ? null : List.copyOf(blobs);
  }

  /** A pull that fetched the manifest and settled each blob as {@code blobs} says. */
  static PullResult fetched(
      ImageStore store,
      ImageReference reference,
      Digest remoteDigest,
      RegistryEndpoint source,
      List<BlobTransfer> blobs) {
    return new PullResult(store, reference, remoteDigest, source, false, blobs);
  }

  /** A pull that found the store already holding what the reference names: nothing touched. */
  static PullResult upToDate(
      ImageStore store, ImageReference reference, Digest remoteDigest, RegistryEndpoint source) {
    return new PullResult(store, reference, remoteDigest, source, true, null);
  }

  /** The image the pulled reference names in the store (read on first call). */
  public synchronized Image image() throws HostRuntimeException {
    if (image == null) {
      image = store.resolve(reference.toString());
    }
    return image;
  }

  public Digest remoteDigest() {
    return remoteDigest;
  }

  public RegistryEndpoint source() {
    return source;
  }

  /** Whether the store already had the image (only the manifest digest was asked for). */
  public boolean upToDate() {
    return upToDate;
  }

  /** Each blob's fate: all {@code EXISTS} for an up-to-date pull (read on first call). */
  public synchronized List<BlobTransfer> blobs() throws HostRuntimeException {
    if (blobs == null) {
      ImageManifest manifest = store.manifest(image().manifestDigest());
      List<Descriptor> all = new ArrayList<>();
      all.add(manifest.config());
      all.addAll(manifest.layers());
      List<BlobTransfer> existing = new ArrayList<>();
      for (Descriptor blob : new LinkedHashSet<>(all)) {
        existing.add(new BlobTransfer(blob, TransferListener.Status.EXISTS));
      }
      blobs = List.copyOf(existing);
    }
    return blobs;
  }

  /** Bytes downloaded (blobs that were already in the store do not count). */
  public long bytesPulled() throws HostRuntimeException {
    if (upToDate) {
      return 0;
    }
    return blobs().stream()
        .filter(b -> b.status() == TransferListener.Status.PULLED)
        .mapToLong(b -> b.blob().size())
        .sum();
  }

  public long blobsPulled() throws HostRuntimeException {
    if (upToDate) {
      return 0;
    }
    return blobs().stream().filter(b -> b.status() == TransferListener.Status.PULLED).count();
  }
}
