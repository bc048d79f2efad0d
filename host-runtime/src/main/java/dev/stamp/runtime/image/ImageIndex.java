package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OCI image index or Docker manifest list: manifests (each with a platform when it is a
 * multi-platform image). An OCI layout's {@code index.json} is one too.
 */
@JsonPropertyOrder({"schemaVersion", "mediaType", "manifests", "annotations"})
public record ImageIndex(
    int schemaVersion,
    String mediaType,
    List<Descriptor> manifests,
    Map<String, String> annotations) {

  public ImageIndex {
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
    annotations = Values.copy(annotations);
  }

  public static ImageIndex of(List<Descriptor> manifests) {
    return new ImageIndex(2, MediaType.OCI_INDEX, manifests, null);
  }

  /** The first manifest for {@code platform}. */
  public Optional<Descriptor> forPlatform(Platform platform) {
    return manifests.stream()
        .filter(d -> d.platform() != null && d.platform().matches(platform))
        .findFirst();
  }
}
