package dev.stamp.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a JSON value against a schema of the OpenAPI document: the subset the document uses
 * ({@code $ref}, {@code type}, {@code properties}, {@code required}, {@code additionalProperties},
 * {@code items}, {@code enum}, {@code pattern}). Returns every problem with its JSON path.
 */
final class SchemaCheck {

  private final JsonNode doc;

  SchemaCheck(JsonNode doc) {
    this.doc = doc;
  }

  JsonNode resolve(JsonNode schema) {
    while (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      schema = doc.at(ref.substring(1));
      if (schema.isMissingNode()) {
        throw new IllegalArgumentException("unresolved " + ref);
      }
    }
    return schema;
  }

  List<String> problems(JsonNode value, JsonNode schema) {
    List<String> out = new ArrayList<>();
    check("$", value, schema, out);
    return out;
  }

  private void check(String at, JsonNode value, JsonNode schema, List<String> out) {
    schema = resolve(schema);
    String type = schema.path("type").asText("");
    boolean typed =
        switch (type) {
          case "object" -> value.isObject();
          case "array" -> value.isArray();
          case "string" -> value.isTextual();
          case "integer" -> value.isIntegralNumber();
          case "number" -> value.isNumber();
          case "boolean" -> value.isBoolean();
          default -> true;
        };
    if (!typed) {
      out.add(at + ": expected " + type + ", got " + value.getNodeType());
      return;
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode e : schema.get("enum")) {
        found |= e.equals(value);
      }
      if (!found) {
        out.add(at + ": " + value + " not in " + schema.get("enum"));
      }
    }
    if (schema.has("pattern")
        && value.isTextual()
        && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
      out.add(at + ": " + value + " does not match " + schema.get("pattern"));
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        check(at + "[" + i + "]", value.get(i), schema.get("items"), out);
      }
    }
    if (value.isObject()) {
      for (JsonNode r : schema.path("required")) {
        if (!value.has(r.asText())) {
          out.add(at + ": required field " + r.asText() + " missing");
        }
      }
      JsonNode props = schema.path("properties");
      JsonNode extra = schema.get("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String path = at + "." + field.getKey();
        if (props.has(field.getKey())) {
          check(path, field.getValue(), props.get(field.getKey()), out);
        } else if (extra != null && extra.isObject()) {
          check(path, field.getValue(), extra, out);
        } else if (extra != null && extra.isBoolean() && !extra.asBoolean()) {
          out.add(path + ": not in the schema");
        }
      }
    }
  }
}
