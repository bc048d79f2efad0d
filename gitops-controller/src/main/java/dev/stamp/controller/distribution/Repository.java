package dev.stamp.controller.distribution;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * One repository name's view of the store: its tags, the manifests they reach (a tagged manifest or
 * index, and the manifests an index lists), and the blobs those manifests reference (config and
 * layers). Anything else in the store, however valid its digest, is unknown under this name.
 */
final class Repository {

  /** An index inside an index inside …: deeper than this is not followed. */
  private static final int MAX_DEPTH = 4;

  private final String name;
  private final SortedMap<String, Descriptor> tags;
  private final ImageStore store;
  private Map<Digest, Descriptor> manifests;

  Repository(String name, SortedMap<String, Descriptor> tags, ImageStore store) {
    this.name = name;
    this.tags = tags;
    this.store = store;
  }

  String name() {
    return name;
  }

  SortedMap<String, Descriptor> tags() {
    return tags;
  }

  /** The manifest (or index) a tag or digest names here. */
  Optional<Descriptor> manifest(String tag) {
    return Optional.ofNullable(tags.get(tag));
  }

  Optional<Descriptor> manifest(Digest digest) throws HostRuntimeException {
    return Optional.ofNullable(manifests().get(digest));
  }

  /** The config or layer {@code digest} as a manifest of this name lists it. */
  Optional<Descriptor> blob(Digest digest) throws HostRuntimeException {
    for (Descriptor m : manifests().values()) {
      if (!MediaType.isManifest(m.mediaType())) {
        continue;
      }
      Optional<ImageManifest> manifest = stored(() -> store.manifest(m.digest()));
      if (manifest.isEmpty()) {
        continue;
      }
      if (manifest.get().config().digest().equals(digest)) {
        return Optional.of(manifest.get().config());
      }
      for (Descriptor layer : manifest.get().layers()) {
        if (layer.digest().equals(digest)) {
          return Optional.of(layer);
        }
      }
    }
    return Optional.empty();
  }

  private Map<Digest, Descriptor> manifests() throws HostRuntimeException {
    if (manifests == null) {
      Map<Digest, Descriptor> reached = new LinkedHashMap<>();
      for (Descriptor target : tags.values()) {
        reach(target, reached, 0);
      }
      manifests = reached;
    }
    return manifests;
  }

  private void reach(Descriptor d, Map<Digest, Descriptor> reached, int depth)
      throws HostRuntimeException {
    if (reached.putIfAbsent(d.digest(), d) != null
        || depth >= MAX_DEPTH
        || !MediaType.isIndex(d.mediaType())) {
      return;
    }
    var index = stored(() -> store.index(d.digest()));
    if (index.isPresent()) {
      for (Descriptor child : index.get().manifests()) {
        if (MediaType.isManifest(child.mediaType()) || MediaType.isIndex(child.mediaType())) {
          reach(child, reached, depth + 1);
        }
      }
    }
  }

  private interface Read<T> {
    T get() throws HostRuntimeException;
  }

  /** The parsed object, empty when the store lacks it (an index's other platforms). */
  private static <T> Optional<T> stored(Read<T> read) throws HostRuntimeException {
    try {
      return Optional.of(read.get());
    } catch (HostRuntimeException e) {
      if (e.kind() == StampException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
