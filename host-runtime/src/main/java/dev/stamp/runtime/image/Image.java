package dev.stamp.runtime.image;

import java.util.List;
import java.util.Objects;

/**
 * An image in the local store, everything the runtime and the CLI need: the reference it was found
 * through ({@code null} for an untagged image found by id), its manifest and config with their
 * digests, and its layers (lowest first) with their diff ids. The image id, as Docker prints it, is
 * the config digest.
 */
public record Image(
    ImageReference reference,
    Digest manifestDigest,
    ImageManifest manifest,
    Digest configDigest,
    ImageConfig config,
    List<Descriptor> layers,
    List<Digest> diffIds) {

  public Image {
    Objects.requireNonNull(manifestDigest, "manifestDigest");
    Objects.requireNonNull(configDigest, "configDigest");
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
    diffIds = List.copyOf(diffIds);
    if (layers.size() != diffIds.size()) {
      throw new IllegalArgumentException(
          "image "
              + manifestDigest
              + ": manifest lists "
              + layers.size()
              + " layers but the config has "
              + diffIds.size()
              + " diff ids");
    }
  }

  /** The image id (config digest), as {@code stamp images} shows its first 12 hex characters. */
  public Digest id() {
    return configDigest;
  }

  /**
   * Bytes of the config and layer blobs as stored (built layers: plain tars; pulled: compressed).
   */
  public long size() {
    long total = manifest.config().size();
    for (Descriptor layer : layers) {
      total += layer.size();
    }
    return total;
  }

  /** The same image seen through another reference. */
  public Image withReference(ImageReference newReference) {
    return new Image(newReference, manifestDigest, manifest, configDigest, config, layers, diffIds);
  }
}
