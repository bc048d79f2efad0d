package dev.stamp.controller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** Request bodies: read up to a cap (413 past it), JSON with unknown fields refused by name. */
final class Bodies {

  /**
   * Jackson as the API speaks it: records, unknown fields refused, nulls left out on the way out.
   */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Bodies() {}

  /** The raw body, refused past {@code max} bytes before reading it when the length is declared. */
  static byte[] read(Request request, int max) throws IOException, ApiFailure {
    long declared = request.getLength();
    if (declared > max) {
      throw tooLarge(max);
    }
    byte[] bytes;
    try (InputStream in = Content.Source.asInputStream(request)) {
      bytes = in.readNBytes(max + 1);
    }
    if (bytes.length > max) {
      throw tooLarge(max);
    }
    return bytes;
  }

  private static ApiFailure tooLarge(int max) {
    return new ApiFailure(
        ApiError.Code.PAYLOAD_TOO_LARGE, "request body: over the limit of " + max + " bytes");
  }

  /** {@code bytes} as a {@code type}; an empty body is {@code empty}. */
  static <T> T json(byte[] bytes, Class<T> type, T empty) throws ApiFailure {
    if (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return empty;
    }
    try {
      T value = JSON.readValue(bytes, type);
      return value == null ? empty : value;
    } catch (UnrecognizedPropertyException e) {
      String field = path(e);
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          "request body: unknown field "
              + field
              + " (known: "
              + String.join(", ", e.getKnownPropertyIds().stream().map(Object::toString).toList())
              + ")",
          field);
    } catch (JsonMappingException e) {
      String field = path(e);
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          "request body: "
              + (field.isEmpty() ? "" : field + ": ")
              + shorten(e.getOriginalMessage().replaceAll("\\s+", " ")),
          field.isEmpty() ? null : field);
    } catch (JsonProcessingException e) {
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          "request body: malformed JSON at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ": "
              + shorten(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ApiFailure(ApiError.Code.BAD_REQUEST, "request body: " + e.getMessage());
    }
  }

  static String shorten(String s) {
    int cut = s.indexOf(" at [Source");
    s = cut > 0 ? s.substring(0, cut) : s;
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  /** {@code hosts[1].service}: the path of the field a mapping error is about. */
  static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
