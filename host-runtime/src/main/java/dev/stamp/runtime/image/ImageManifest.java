package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A single-platform image manifest (OCI, or Docker v2 schema 2: same shape). */
@JsonPropertyOrder({"schemaVersion", "mediaType", "config", "layers", "annotations"})
public record ImageManifest(
    int schemaVersion,
    String mediaType,
    Descriptor config,
    List<Descriptor> layers,
    Map<String, String> annotations) {

  public ImageManifest {
    Objects.requireNonNull(config, "manifest config");
    layers = layers == null ? List.of() : List.copyOf(layers);
    annotations = Values.copy(annotations);
  }

  /** An OCI manifest for {@code config} and {@code layers} (lowest first). */
  public static ImageManifest of(Descriptor config, List<Descriptor> layers) {
    return new ImageManifest(2, MediaType.OCI_MANIFEST, config, layers, null);
  }
}
