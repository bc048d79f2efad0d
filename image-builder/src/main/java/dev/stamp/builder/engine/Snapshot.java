package dev.stamp.builder.engine;

import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.HistoryEntry;
import dev.stamp.runtime.image.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state of a stage after a step: its cache key, layers (blob descriptors, diff ids and the
 * unpacked directories, LOWEST FIRST), run config, history and platform.
 */
record Snapshot(
    String cacheKey,
    List<Descriptor> layers,
    List<Digest> diffIds,
    List<Path> layerDirs,
    ContainerConfig config,
    List<HistoryEntry> history,
    Platform platform) {

  Snapshot {
    layers = List.copyOf(layers);
    diffIds = List.copyOf(diffIds);
    layerDirs = List.copyOf(layerDirs);
    history = List.copyOf(history);
  }

  Snapshot withConfig(String key, ContainerConfig newConfig, HistoryEntry entry) {
    List<HistoryEntry> h = new ArrayList<>(history);
    h.add(entry);
    return new Snapshot(key, layers, diffIds, layerDirs, newConfig, h, platform);
  }

  Snapshot withLayer(String key, Descriptor layer, Digest diffId, Path dir, HistoryEntry entry) {
    List<Descriptor> l = new ArrayList<>(layers);
    l.add(layer);
    List<Digest> d = new ArrayList<>(diffIds);
    d.add(diffId);
    List<Path> dirs = new ArrayList<>(layerDirs);
    dirs.remove(dir);
    dirs.add(dir);
    List<HistoryEntry> h = new ArrayList<>(history);
    h.add(entry);
    return new Snapshot(key, l, d, dirs, config, h, platform);
  }

  /**
   * Where {@code absPath} is in the topmost layer that has it, empty when no layer has it, a higher
   * layer deletes it (overlay whiteout: a character device 0:0) or hides it (opaque dir), or it is
   * reached through a symlink leading out of the layer (never a file of the build host).
   */
  Optional<Path> find(String absPath) {
    String rel = absPath.replaceFirst("^/+", "");
    if (rel.isEmpty()) {
      return layerDirs.isEmpty() ? Optional.empty() : Optional.of(layerDirs.get(0));
    }
    for (int i = layerDirs.size() - 1; i >= 0; i--) {
      Path dir = layerDirs.get(i);
      Path candidate = dir.resolve(rel);
      if (isWhiteout(candidate)) {
        return Optional.empty();
      }
      if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
        // reached through a layer's symlink that leads out of it (an absolute link would be
        // followed on the build host): not the image's file
        return inside(dir, candidate) ? Optional.of(candidate) : Optional.empty();
      }
      Path parent = candidate.getParent();
      while (parent != null && parent.startsWith(dir) && !parent.equals(dir)) {
        if (isWhiteout(parent)) {
          return Optional.empty();
        }
        parent = parent.getParent();
      }
    }
    return Optional.empty();
  }

  private static boolean inside(Path dir, Path candidate) {
    try {
      return candidate.getParent().toRealPath().startsWith(dir.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  Optional<String> readFile(String absPath) {
    try {
      Optional<Path> p = find(absPath);
      if (p.isPresent() && Files.isRegularFile(p.get(), LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(Files.readString(p.get()));
      }
    } catch (IOException e) {
      // unreadable: treat as absent
    }
    return Optional.empty();
  }

  private static boolean isWhiteout(Path p) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isOther()) {
        return false;
      }
      Object rdev = Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & 0170000) == 0020000 && ((Number) rdev).longValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
