package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The OCI image config ({@code application/vnd.oci.image.config.v1+json}, Docker's is the same
 * shape). Unknown fields are ignored when read; the store keeps the exact bytes it was given, so
 * reading never changes an image's digest. {@code created} stays the string the image carries (RFC
 * 3339).
 */
@JsonPropertyOrder({
  "created",
  "author",
  "architecture",
  "variant",
  "os",
  "os.version",
  "config",
  "rootfs",
  "history"
})
public record ImageConfig(
    String created,
    String author,
    String architecture,
    String variant,
    String os,
    @JsonProperty("os.version") String osVersion,
    ContainerConfig config,
    RootFs rootfs,
    List<HistoryEntry> history) {

  public ImageConfig {
    history = Values.copy(history);
  }

  /** A config for {@code platform} with the given run config, layers and history. */
  public static ImageConfig of(
      Platform platform,
      String created,
      ContainerConfig config,
      List<Digest> diffIds,
      List<HistoryEntry> history) {
    return new ImageConfig(
        created,
        null,
        platform.architecture(),
        platform.variant(),
        platform.os(),
        null,
        config,
        RootFs.of(diffIds),
        history);
  }

  /** The run config, {@link ContainerConfig#EMPTY} when the image has none. */
  public ContainerConfig runConfig() {
    return config == null ? ContainerConfig.EMPTY : config;
  }

  /** The layer diff ids, lowest first (empty when the config has no rootfs). */
  public List<Digest> diffIds() {
    return rootfs == null ? List.of() : rootfs.diffIds();
  }

  public Platform platform() {
    return new Platform(architecture, os, osVersion, null, variant);
  }

  public ImageConfig withConfig(ContainerConfig newConfig) {
    return new ImageConfig(
        created, author, architecture, variant, os, osVersion, newConfig, rootfs, history);
  }

  public ImageConfig withRootFs(RootFs newRootfs, List<HistoryEntry> newHistory) {
    return new ImageConfig(
        created, author, architecture, variant, os, osVersion, config, newRootfs, newHistory);
  }

  public ImageConfig withCreated(String newCreated) {
    return new ImageConfig(
        newCreated, author, architecture, variant, os, osVersion, config, rootfs, history);
  }
}
