package dev.stamp.runtime.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Finds one entry of an OCI layout's index.json with Jackson's streaming parser only: no object
 * mapper, so a no-op pull in a fresh JVM does not pay for data binding (~0.1 s of class loading).
 * Reads {@code mediaType}, {@code digest}, {@code size} and string {@code annotations}; skips the
 * rest (platform, urls).
 */
final class IndexScan {

  private static final JsonFactory JSON = new JsonFactory();

  private IndexScan() {}

  /** The entry whose {@code org.opencontainers.image.ref.name} is {@code refName}. */
  static Optional<Descriptor> find(byte[] index, String refName) throws HostRuntimeException {
    try (JsonParser p = JSON.createParser(index)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.getCurrentName();
        JsonToken value = p.nextToken();
        if (!field.equals("manifests") || value != JsonToken.START_ARRAY) {
          p.skipChildren();
          continue;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
          Descriptor entry = entry(p);
          if (entry != null && refName.equals(entry.annotation(Descriptor.REF_NAME))) {
            return Optional.of(entry);
          }
        }
      }
      return Optional.empty();
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw HostRuntimeException.failed("image store index: not a valid index.json: " + e);
    }
  }

  /** One descriptor object (the parser is on its START_OBJECT); null if it lacks a digest. */
  private static Descriptor entry(JsonParser p) throws IOException, HostRuntimeException {
    String mediaType = null;
    String digest = null;
    long size = 0;
    Map<String, String> annotations = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.getCurrentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "mediaType" -> mediaType = p.getValueAsString();
        case "digest" -> digest = p.getValueAsString();
        case "size" -> size = p.getValueAsLong();
        case "annotations" -> {
          if (value == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String key = p.getCurrentName();
              p.nextToken();
              annotations.put(key, p.getValueAsString());
            }
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
    if (digest == null || mediaType == null) {
      return null;
    }
    return Descriptor.of(mediaType, Digest.parse(digest), size).withAnnotations(annotations);
  }

  private static void expect(JsonToken actual, JsonToken wanted) throws IOException {
    if (actual != wanted) {
      throw new IOException("expected " + wanted + ", found " + actual);
    }
  }
}
