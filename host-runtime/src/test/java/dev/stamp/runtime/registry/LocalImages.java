package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.HistoryEntry;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageIndex;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Real little images (gzip tar layers, OCI config and manifest) written into a store. */
final class LocalImages {

  private LocalImages() {}

  /** A gzip tar layer holding {@code /NAME} with {@code size} random bytes seeded by the name. */
  record Layer(byte[] gzip, Digest diffId) {
    Descriptor descriptor() {
      return Descriptor.of(MediaType.OCI_LAYER_TAR_GZIP, gzip);
    }
  }

  static Layer layer(String name, int size) {
    byte[] content = new byte[size];
    new Random(name.hashCode()).nextBytes(content);
    try {
      ByteArrayOutputStream tar = new ByteArrayOutputStream();
      try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setModTime(0);
        out.putArchiveEntry(entry);
        out.write(content);
        out.closeArchiveEntry();
      }
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (GzipCompressorOutputStream out = new GzipCompressorOutputStream(gz)) {
        out.write(tar.toByteArray());
      }
      return new Layer(gz.toByteArray(), Digest.of(tar.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stores an image of {@code layers} for {@code platform}; returns its manifest descriptor. */
  static Descriptor put(ImageStore store, Platform platform, String cmd, Layer... layers)
      throws HostRuntimeException {
    List<Descriptor> descriptors = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (Layer layer : layers) {
      descriptors.add(store.putBlob(MediaType.OCI_LAYER_TAR_GZIP, layer.gzip()));
      diffIds.add(layer.diffId());
    }
    return put(store, platform, cmd, descriptors, diffIds);
  }

  /** Stores an image of layer blobs already in the store, with their diff ids. */
  static Descriptor put(
      ImageStore store,
      Platform platform,
      String cmd,
      List<Descriptor> descriptors,
      List<Digest> diffIds)
      throws HostRuntimeException {
    List<HistoryEntry> history = new ArrayList<>();
    for (int i = 0; i < descriptors.size(); i++) {
      history.add(HistoryEntry.of("1970-01-01T00:00:00Z", "layer", false));
    }
    ImageConfig config =
        ImageConfig.of(
            platform,
            "1970-01-01T00:00:00Z",
            ContainerConfig.builder().cmd(List.of("sh", "-c", cmd)).build(),
            diffIds,
            history);
    Descriptor configDesc = store.putConfig(config);
    return store.putManifest(ImageManifest.of(configDesc, descriptors));
  }

  /** Stores and tags a one-layer linux/amd64 image. */
  static Descriptor tagged(ImageStore store, String ref, String seed, int layerSize)
      throws HostRuntimeException {
    Descriptor manifest =
        put(store, Platform.of("linux", "amd64"), "echo " + seed, layer(seed, layerSize));
    store.tag(ImageReference.parse(ref), manifest);
    return manifest;
  }

  /** Stores an index over {@code manifests} (each with its platform) and tags it. */
  static Descriptor taggedIndex(ImageStore store, String ref, List<Descriptor> manifests)
      throws HostRuntimeException {
    byte[] bytes = ImageJson.write(ImageIndex.of(manifests));
    Descriptor index = store.putBlob(MediaType.OCI_INDEX, bytes);
    store.tag(ImageReference.parse(ref), index);
    return index;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
