package dev.stamp.controller.distribution;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.ImageIndex;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The store as the endpoint sees it: its {@code index.json} (the OCI layout's, replaced atomically
 * by every tag) read again only when the file changed, and the tags it holds per repository name. A
 * name is how {@code stamp images} prints it ({@code shop/web} for {@code
 * docker.io/shop/web:abc123}); entries without a tag (pulled by digest) are no one's.
 */
final class StoreView {

  private record Version(Object fileKey, FileTime modified, long size) {}

  /** One version of index.json, its tags grouped by repository name. */
  private record Snapshot(Version version, Map<String, SortedMap<String, Descriptor>> byName) {}

  private final ImageStore store;
  private final Path indexFile;
  private volatile Snapshot snapshot;

  StoreView(ImageStore store) {
    this.store = store;
    this.indexFile = store.layout().resolve("index.json");
  }

  ImageStore store() {
    return store;
  }

  /** The repository {@code name} (already validated), empty when no tag has that name. */
  Optional<Repository> repository(String name) throws HostRuntimeException {
    SortedMap<String, Descriptor> tags = snapshot().byName().get(name);
    return tags == null ? Optional.empty() : Optional.of(new Repository(name, tags, store));
  }

  private static Map<String, SortedMap<String, Descriptor>> byName(ImageIndex index)
      throws HostRuntimeException {
    Map<String, SortedMap<String, Descriptor>> byName = new HashMap<>();
    for (Descriptor entry : index.manifests()) {
      String refName = entry.annotation(Descriptor.REF_NAME);
      if (refName == null || !ImageReference.isValid(refName)) {
        continue;
      }
      ImageReference ref = ImageReference.parse(refName);
      if (ref.tag() != null) {
        byName
            .computeIfAbsent(ref.familiarName(), n -> new TreeMap<>())
            .put(ref.tag(), Descriptor.of(entry.mediaType(), entry.digest(), entry.size()));
      }
    }
    byName.replaceAll((n, tags) -> Collections.unmodifiableSortedMap(tags));
    return Map.copyOf(byName);
  }

  private Snapshot snapshot() throws HostRuntimeException {
    try {
      BasicFileAttributes attrs = Files.readAttributes(indexFile, BasicFileAttributes.class);
      Version now = new Version(attrs.fileKey(), attrs.lastModifiedTime(), attrs.size());
      Snapshot current = snapshot;
      if (current != null && Objects.equals(current.version(), now)) {
        return current;
      }
      ImageIndex index =
          ImageJson.read(
              Files.readAllBytes(indexFile), ImageIndex.class, "image store index " + indexFile);
      Snapshot fresh = new Snapshot(now, byName(index));
      snapshot = fresh;
      return fresh;
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + indexFile + ": " + e.getMessage(), e);
    }
  }
}
