package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.HistoryEntry;
import dev.stamp.runtime.image.Platform;
import dev.stamp.runtime.layer.LayerTree;
import java.nio.file.Path;
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

  /** The same layers and history under another key and config (no history entry: metadata only). */
  Snapshot withConfig(String key, ContainerConfig newConfig) {
    return new Snapshot(key, layers, diffIds, layerDirs, newConfig, history, platform);
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

  /** The layers seen as one filesystem (overlay rules, paths resolved inside it). */
  LayerTree tree() {
    return LayerTree.of(layerDirs);
  }

  /**
   * Where {@code absPath} is in the topmost layer that has it, its directories resolved inside the
   * image ({@link LayerTree}: an absolute link is the image's own path, never the build host's; the
   * last component is not followed); empty when no layer has it or a higher layer deletes or hides
   * it. A link loop is bad input naming {@code what} and the path.
   */
  Optional<Path> find(String absPath, String what) throws BuildException {
    try {
      return tree().find(absPath, false);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(context(what), e);
    }
  }

  /** Where {@code absPath} leads inside the image, relative ({@code etc/x}); see {@link #find}. */
  String resolve(String absPath, boolean followLast, String what) throws BuildException {
    try {
      return tree().resolve(absPath, followLast);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(context(what), e);
    }
  }

  /**
   * The regular file {@code absPath} leads to inside the image (links followed inside it), as
   * UTF-8; empty when there is none.
   */
  Optional<String> readFile(String absPath, String what) throws BuildException {
    try {
      return tree().readString(absPath);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(context(what), e);
    }
  }

  private static String context(String what) {
    return what.replaceFirst("[:\\s]+$", "");
  }
}
