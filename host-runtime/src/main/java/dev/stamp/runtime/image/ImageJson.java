package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;

/**
 * JSON of image objects. Writing is deterministic (fixed field order, map keys sorted, nulls
 * omitted, no whitespace), so equal values give equal bytes and equal digests. Reading ignores
 * unknown fields. Digests are always computed over the bytes as stored or received, never over a
 * re-serialisation. Manifests, indexes and image configs are read, and indexes written, with the
 * streaming parser and generator ({@link ImageJsonStream}): the mapper is built only when something
 * else is read or written.
 */
public final class ImageJson {

  /** Built on first use: reading a manifest or a config ({@code run}'s path) never needs it. */
  private static final class Mapper {
    static final ObjectMapper MAPPER =
        JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
  }

  private ImageJson() {}

  /**
   * Canonical bytes of {@code value} (a manifest, index, config or descriptor). An index (the
   * store's index.json, which every pull and tag rewrites) goes through the streaming generator.
   */
  public static byte[] write(Object value) {
    try {
      if (value instanceof ImageIndex index) {
        return ImageJsonStream.write(index);
      }
      return Mapper.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("serialise " + value.getClass().getSimpleName(), e);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "serialise " + value.getClass().getSimpleName() + " in memory", e);
    }
  }

  /** {@link #write}'s bytes as the object mapper makes them (tests compare the two). */
  static byte[] writeWithMapper(Object value) throws JsonProcessingException {
    return Mapper.MAPPER.writeValueAsBytes(value);
  }

  /**
   * Parses {@code json} as {@code type}; BAD_INPUT "{@code what}: not a valid …" when it is not
   * (e.g. {@code what} = "image config sha256:ab12…").
   */
  public static <T> T read(byte[] json, Class<T> type, String what) throws HostRuntimeException {
    try {
      T value;
      if (type == ImageManifest.class) {
        value = type.cast(ImageJsonStream.manifest(json));
      } else if (type == ImageConfig.class) {
        value = type.cast(ImageJsonStream.config(json));
      } else if (type == ImageIndex.class) {
        value = type.cast(ImageJsonStream.index(json));
      } else {
        value = Mapper.MAPPER.readValue(json, type);
      }
      if (value == null) {
        throw HostRuntimeException.badInput(what + ": empty JSON document");
      }
      return value;
    } catch (HostRuntimeException e) {
      throw HostRuntimeException.badInput(
          what + ": not a valid " + type.getSimpleName() + ": " + e.getMessage());
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw HostRuntimeException.badInput(
          what + ": not a valid " + type.getSimpleName() + ": " + firstLine(e.getMessage()));
    }
  }

  /** The mapper, for callers that need a tree view of the same JSON. */
  public static ObjectMapper mapper() {
    return Mapper.MAPPER;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable JSON";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
