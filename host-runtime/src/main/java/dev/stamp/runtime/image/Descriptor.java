package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An OCI content descriptor: what a blob is ({@code mediaType}), its {@code digest} and {@code
 * size}, plus optional annotations, platform (index entries) and urls (foreign layers).
 */
@JsonPropertyOrder({"mediaType", "digest", "size", "urls", "annotations", "platform"})
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    Platform platform) {

  /** The annotation an OCI layout's index.json uses to name a reference. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("descriptor " + digest + ": negative size " + size);
    }
    urls = Values.copy(urls);
    annotations = Values.copy(annotations);
  }

  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, null, null, null);
  }

  /** The descriptor of {@code bytes} (sha256). */
  public static Descriptor of(String mediaType, byte[] bytes) {
    return of(mediaType, Digest.of(bytes), bytes.length);
  }

  public Descriptor withAnnotations(Map<String, String> newAnnotations) {
    return new Descriptor(mediaType, digest, size, urls, newAnnotations, platform);
  }

  public Descriptor withPlatform(Platform newPlatform) {
    return new Descriptor(mediaType, digest, size, urls, annotations, newPlatform);
  }

  /** The value of one annotation, or null. */
  public String annotation(String key) {
    return annotations == null ? null : annotations.get(key);
  }
}
