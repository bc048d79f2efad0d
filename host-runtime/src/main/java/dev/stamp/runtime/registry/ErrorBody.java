package dev.stamp.runtime.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.runtime.image.ImageJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The first error of an error answer: the spec's {@code {"errors":[{"code","message","detail"}]}},
 * a token server's {@code {"details"}} or {@code {"error","error_description"}}, or the first line
 * of a text body.
 */
record ErrorBody(RegistryErrorCode code, String message) {

  private static final int MAX_TEXT = 200;

  /** What {@code body} says, with {@code fallback} as the code when it names none. */
  static ErrorBody parse(byte[] body, RegistryErrorCode fallback) {
    if (body == null || body.length == 0) {
      return new ErrorBody(fallback, null);
    }
    JsonNode json = readJson(body);
    if (json != null && json.path("errors").isArray() && !json.path("errors").isEmpty()) {
      JsonNode first = json.path("errors").get(0);
      RegistryErrorCode code = RegistryErrorCode.of(first.path("code").asText(null));
      return new ErrorBody(
          code == RegistryErrorCode.UNKNOWN ? fallback : code, text(first.path("message")));
    }
    if (json != null && json.isObject()) {
      String message = text(json.path("details"));
      if (message == null) {
        message = text(json.path("error_description"));
      }
      if (message == null) {
        message = text(json.path("error"));
      }
      if (message == null) {
        message = text(json.path("message"));
      }
      return new ErrorBody(fallback, message);
    }
    return new ErrorBody(fallback, firstLine(new String(body, StandardCharsets.UTF_8)));
  }

  private static JsonNode readJson(byte[] body) {
    try {
      return ImageJson.mapper().readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode node) {
    return node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("").strip();
    if (line.isEmpty()) {
      return null;
    }
    return line.length() > MAX_TEXT ? line.substring(0, MAX_TEXT) + "…" : line;
  }
}
