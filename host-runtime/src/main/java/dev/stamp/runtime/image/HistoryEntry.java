package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One step of an image's history; {@code emptyLayer} steps added no layer. */
@JsonPropertyOrder({"created", "created_by", "author", "comment", "empty_layer"})
public record HistoryEntry(
    String created,
    @JsonProperty("created_by") String createdBy,
    String author,
    String comment,
    @JsonProperty("empty_layer") Boolean emptyLayer) {

  public static HistoryEntry of(String created, String createdBy, boolean emptyLayer) {
    return new HistoryEntry(created, createdBy, null, null, emptyLayer ? Boolean.TRUE : null);
  }

  public boolean isEmptyLayer() {
    return Boolean.TRUE.equals(emptyLayer);
  }
}
