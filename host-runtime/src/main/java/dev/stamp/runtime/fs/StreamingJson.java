package dev.stamp.runtime.fs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Values read and written with Jackson's streaming API only (no object mapper: a short CLI command
 * does not pay for data binding's ~0.1 s of class loading and bean introspection). The readers
 * accept what the mapper accepted for the same field types: {@code null} for a missing object, list
 * or string, scalars where a string is expected, and they skip unknown fields. A value of the wrong
 * shape is an {@link IOException} naming the field.
 */
public final class StreamingJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private StreamingJson() {}

  /** A parser over {@code json}. */
  public static JsonParser parser(byte[] json) throws IOException {
    return FACTORY.createParser(json);
  }

  /** A generator writing UTF-8 to {@code out}. */
  public static JsonGenerator generator(java.io.OutputStream out) throws IOException {
    return FACTORY.createGenerator(out);
  }

  /** Fails unless the next token starts an object (the document's top level). */
  public static void startObject(JsonParser p, String what) throws IOException {
    JsonToken first = p.nextToken();
    if (first != JsonToken.START_OBJECT) {
      throw new IOException(what + ": expected a JSON object, found " + describe(first));
    }
  }

  /**
   * The current scalar as a string (numbers and booleans as their text, as the mapper coerced
   * them); null for JSON null.
   */
  public static String string(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t == null || !t.isScalarValue()) {
      throw wrong(field, "a string", t);
    }
    return p.getText();
  }

  /** The current value as an int; JSON null is 0 (as the mapper reads a primitive). */
  public static int intValue(JsonParser p, String field) throws IOException {
    long value = longValue(p, field);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new IOException("field " + field + ": " + value + " is out of range for an int");
    }
    return (int) value;
  }

  /** The current value as a long; JSON null is 0, a numeric string its number. */
  public static long longValue(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return 0;
    }
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return p.getLongValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      try {
        return Long.parseLong(p.getText().trim());
      } catch (NumberFormatException e) {
        throw wrong(field, "a number", t);
      }
    }
    throw wrong(field, "a number", t);
  }

  /** The current value as a boxed long, null for JSON null. */
  public static Long boxedLong(JsonParser p, String field) throws IOException {
    return p.currentToken() == JsonToken.VALUE_NULL ? null : longValue(p, field);
  }

  /** The current value as a boxed int, null for JSON null. */
  public static Integer boxedInt(JsonParser p, String field) throws IOException {
    return p.currentToken() == JsonToken.VALUE_NULL ? null : intValue(p, field);
  }

  /** The current value as a boolean; JSON null is false, "true"/"false" their value. */
  public static boolean bool(JsonParser p, String field) throws IOException {
    Boolean b = boxedBool(p, field);
    return b != null && b;
  }

  /** The current value as a boxed boolean, null for JSON null. */
  public static Boolean boxedBool(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
      return t == JsonToken.VALUE_TRUE;
    }
    if (t == JsonToken.VALUE_STRING
        && ("true".equals(p.getText()) || "false".equals(p.getText()))) {
      return Boolean.valueOf(p.getText());
    }
    throw wrong(field, "true or false", t);
  }

  /** The current array of strings; null for JSON null. */
  public static List<String> stringList(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    startArray(p, field);
    List<String> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      list.add(string(p, field + "[" + list.size() + "]"));
    }
    return list;
  }

  /** The current array of ints; null for JSON null. */
  public static List<Integer> intList(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    startArray(p, field);
    List<Integer> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      list.add(boxedInt(p, field + "[" + list.size() + "]"));
    }
    return list;
  }

  /** The current object of string values, in document order; null for JSON null. */
  public static Map<String, String> stringMap(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    startObject(p.currentToken(), field);
    Map<String, String> map = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      p.nextToken();
      map.put(key, string(p, field + "." + key));
    }
    return map;
  }

  /**
   * The keys of the current object ({@code {"80/tcp":{}}}, as image configs write {@code
   * ExposedPorts} and {@code Volumes}), sorted; an empty set for anything but an object (as {@link
   * KeySetJson} reads it); null for JSON null.
   */
  public static TreeSet<String> keySet(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    TreeSet<String> keys = new TreeSet<>();
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return keys;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      keys.add(p.currentName());
      p.nextToken();
      p.skipChildren();
    }
    return keys;
  }

  /** Fails unless the current token starts an array. */
  public static void startArray(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw wrong(field, "an array", p.currentToken());
    }
  }

  /** Fails unless {@code t} starts an object. */
  public static void startObject(JsonToken t, String field) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      throw wrong(field, "an object", t);
    }
  }

  /** Writes {@code name: value}, JSON null for a null value. */
  public static void field(JsonGenerator g, String name, String value) throws IOException {
    g.writeFieldName(name);
    if (value == null) {
      g.writeNull();
    } else {
      g.writeString(value);
    }
  }

  /** Writes {@code name: [values…]}, JSON null for a null list. */
  public static void stringList(JsonGenerator g, String name, List<String> values)
      throws IOException {
    g.writeFieldName(name);
    if (values == null) {
      g.writeNull();
      return;
    }
    g.writeStartArray();
    for (String v : values) {
      if (v == null) {
        g.writeNull();
      } else {
        g.writeString(v);
      }
    }
    g.writeEndArray();
  }

  private static IOException wrong(String field, String expected, JsonToken found) {
    return new IOException(
        "field " + field + ": expected " + expected + ", found " + describe(found));
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "the end of the document";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.toString();
    }
  }
}
