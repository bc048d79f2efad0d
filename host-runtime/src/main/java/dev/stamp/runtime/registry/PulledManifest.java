package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageIndex;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.MediaType;

/** A manifest or index as a registry served it: exact bytes, their verified digest, media type. */
public record PulledManifest(Digest digest, String mediaType, byte[] bytes) {

  public boolean isIndex() {
    return MediaType.isIndex(mediaType);
  }

  public Descriptor descriptor() {
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  public ImageManifest manifest() throws HostRuntimeException {
    return ImageJson.read(bytes, ImageManifest.class, "manifest " + digest);
  }

  public ImageIndex index() throws HostRuntimeException {
    return ImageJson.read(bytes, ImageIndex.class, "image index " + digest);
  }
}
