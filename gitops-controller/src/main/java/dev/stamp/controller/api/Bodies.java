package dev.stamp.controller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.stamp.httpserver.RequestBodies;
import java.io.IOException;
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
    try {
      return RequestBodies.read(request, max);
    } catch (RequestBodies.TooLarge e) {
      throw tooLarge(max);
    }
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
      String field = RequestBodies.path(e);
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          "request body: unknown field "
              + field
              + " (known: "
              + String.join(", ", e.getKnownPropertyIds().stream().map(Object::toString).toList())
              + ")",
          field);
    } catch (JsonMappingException e) {
      String field = RequestBodies.path(e);
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          "request body: "
              + (field.isEmpty() ? "" : field + ": ")
              + RequestBodies.shorten(e.getOriginalMessage().replaceAll("\\s+", " ")),
          field.isEmpty() ? null : field);
    } catch (JsonProcessingException e) {
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          "request body: malformed JSON at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ": "
              + RequestBodies.shorten(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ApiFailure(ApiError.Code.BAD_REQUEST, "request body: " + e.getMessage());
    }
  }
}
