package dev.stamp.policies;

import dev.stamp.runtime.image.ContainerConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A built image to check: its reference, run config and layers (lowest first) with the files each
 * adds. {@code baseLayers} counts the lowest layers that come from the base image: file rules skip
 * them (the image's own layers are what this repository added). {@link ImageSubjects} reads one
 * from the local store.
 */
public record ImageSubject(
    String reference,
    ContainerConfig config,
    List<Layer> layers,
    int baseLayers,
    Optional<String> app,
    Optional<String> service,
    Optional<String> dockerfile)
    implements Subject {

  public ImageSubject {
    Objects.requireNonNull(reference, "reference");
    config = config == null ? ContainerConfig.EMPTY : config;
    layers = List.copyOf(layers);
    if (baseLayers < 0 || baseLayers > layers.size()) {
      throw new IllegalArgumentException(
          "image " + reference + ": baseLayers " + baseLayers + " of " + layers.size());
    }
    app = app == null ? Optional.empty() : app;
    service = service == null ? Optional.empty() : service;
    dockerfile = dockerfile == null ? Optional.empty() : dockerfile;
  }

  @Override
  public String file() {
    return reference;
  }

  /** One layer: its digest, its size in bytes as stored, and its entries. */
  public record Layer(String digest, long size, List<LayerFile> files) {
    public Layer {
      Objects.requireNonNull(digest, "digest");
      files = List.copyOf(files);
    }
  }

  /**
   * One tar entry of a layer: path, permission bits (with setuid 04000, setgid 02000, sticky
   * 01000), owner, and whether it is a directory or a symlink.
   */
  public record LayerFile(String path, int mode, long uid, boolean directory, boolean symlink) {
    public LayerFile {
      Objects.requireNonNull(path, "path");
    }

    public static LayerFile file(String path, int mode) {
      return new LayerFile(path, mode, 0, false, false);
    }
  }
}
