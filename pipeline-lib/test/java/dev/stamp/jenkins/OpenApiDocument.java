package dev.stamp.jenkins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The controller's OpenAPI document ({@code gitops-controller/.../openapi/controller-v1.yaml}),
 * read so every stub the tests serve is an answer the document allows: the operation exists, the
 * status is one it lists, and the body matches the schema (required fields, no unknown fields where
 * the schema closes them, types, enums).
 */
final class OpenApiDocument {

  static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode doc;

  private OpenApiDocument(JsonNode doc) {
    this.doc = doc;
  }

  static OpenApiDocument controller() {
    Path lib = Path.of(System.getProperty("stamp.pipelineLib", "."));
    Path file =
        lib.resolve("../gitops-controller/src/main/resources/openapi/controller-v1.yaml")
            .normalize();
    try {
      return new OpenApiDocument(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Checks that {@code method template} answers {@code status} and that {@code body} is what the
   * document says that answer holds; returns the body as JSON text.
   */
  String answer(String method, String template, int status, Object body) {
    JsonNode op = doc.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
    if (op.isMissingNode()) {
      throw new AssertionError("the OpenAPI document has no " + method + " " + template);
    }
    JsonNode response = resolve(op.path("responses").path(String.valueOf(status)));
    if (response.isMissingNode()) {
      throw new AssertionError(method + " " + template + " does not answer " + status);
    }
    JsonNode content = response.path("content");
    JsonNode schema = content.path("application/json").path("schema");
    JsonNode tree = JSON.valueToTree(body);
    if (!schema.isMissingNode()) {
      List<String> problems = new ArrayList<>();
      check(schema, tree, "$", problems);
      if (!problems.isEmpty()) {
        throw new AssertionError(
            method + " " + template + " " + status + " body does not match: " + problems);
      }
    }
    return tree.toString();
  }

  /** Checks {@code value} against {@code components.schemas.NAME}; returns it as JSON text. */
  String schema(String name, Object value) {
    JsonNode tree = JSON.valueToTree(value);
    List<String> problems = new ArrayList<>();
    check(doc.path("components").path("schemas").path(name), tree, "$", problems);
    if (!problems.isEmpty()) {
      throw new AssertionError(name + " does not match: " + problems);
    }
    return tree.toString();
  }

  private JsonNode resolve(JsonNode node) {
    while (node.has("$ref")) {
      String[] parts = node.get("$ref").asText().substring(2).split("/");
      JsonNode target = doc;
      for (String p : parts) {
        target = target.path(p);
      }
      node = target;
    }
    return node;
  }

  private void check(JsonNode schema, JsonNode value, String at, List<String> problems) {
    schema = resolve(schema);
    String type = schema.path("type").asText("");
    switch (type) {
      case "object" -> {
        if (!value.isObject()) {
          problems.add(at + ": expected an object");
          return;
        }
        for (JsonNode r : schema.path("required")) {
          if (!value.has(r.asText())) {
            problems.add(at + ": missing " + r.asText());
          }
        }
        JsonNode props = schema.path("properties");
        JsonNode extra = schema.path("additionalProperties");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          if (props.has(f.getKey())) {
            check(props.get(f.getKey()), f.getValue(), at + "." + f.getKey(), problems);
          } else if (extra.isBoolean() && !extra.asBoolean()) {
            problems.add(at + ": unknown field " + f.getKey());
          } else if (extra.isObject()) {
            check(extra, f.getValue(), at + "." + f.getKey(), problems);
          }
        }
      }
      case "array" -> {
        if (!value.isArray()) {
          problems.add(at + ": expected an array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(schema.path("items"), value.get(i), at + "[" + i + "]", problems);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          problems.add(at + ": expected a string");
        } else if (schema.has("enum")) {
          boolean known = false;
          for (JsonNode e : schema.get("enum")) {
            known |= e.asText().equals(value.asText());
          }
          if (!known) {
            problems.add(at + ": " + value.asText() + " is not one of " + schema.get("enum"));
          }
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          problems.add(at + ": expected an integer");
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          problems.add(at + ": expected a boolean");
        }
      }
      default -> {
        // untyped: anything
      }
    }
  }
}
