package dev.stamp.runtime.network;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.stamp.runtime.fs.StreamingJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A CNI plugin's result (or any JSON value) as a small tree read with Jackson's streaming API: maps
 * in document order, lists, strings, the parser's numbers (int, long, big integer, double),
 * booleans and nulls. Written back field for field as the object mapper wrote its tree, so the
 * attachment record keeps the bytes it always had, without data binding on a CLI's {@code run}.
 */
final class CniResult {

  private final Object value;

  private CniResult(Object value) {
    this.value = value;
  }

  /** An empty object, what a plugin that prints nothing answered. */
  static CniResult empty() {
    return new CniResult(new LinkedHashMap<String, Object>());
  }

  /** The document {@code json}; an empty object for blank output. */
  static CniResult parse(byte[] json) throws IOException {
    try (JsonParser p = StreamingJson.parser(json)) {
      if (p.nextToken() == null) {
        return empty();
      }
      return new CniResult(tree(p, "result"));
    }
  }

  /** The value at the parser's current token; null for JSON null. */
  static CniResult read(JsonParser p, String field) throws IOException {
    Object tree = tree(p, field);
    return tree == null ? null : new CniResult(tree);
  }

  /** Writes the value at the generator's position. */
  void write(JsonGenerator g) throws IOException {
    write(g, value);
  }

  /** Each entry of {@code ips}: its {@code address} ("" if none) and {@code gateway} (or null). */
  List<Ip> ips() {
    List<Ip> ips = new ArrayList<>();
    if (value instanceof Map<?, ?> map && map.get("ips") instanceof List<?> list) {
      for (Object entry : list) {
        if (entry instanceof Map<?, ?> ip) {
          ips.add(new Ip(text(ip.get("address"), ""), text(ip.get("gateway"), null)));
        }
      }
    }
    return ips;
  }

  /** The spec's error object's {@code msg} (null if none), {@code details} and {@code code}. */
  Error error() {
    if (!(value instanceof Map<?, ?> map)) {
      return null;
    }
    Object msg = map.get("msg");
    if (msg == null) {
      return null;
    }
    Object code = map.get("code");
    int number = 0;
    if (code instanceof Number n) {
      number = n.intValue();
    } else if (code instanceof String s) {
      try {
        number = Integer.parseInt(s.trim());
      } catch (NumberFormatException notANumber) {
        number = 0;
      }
    }
    return new Error(text(msg, ""), text(map.get("details"), ""), number);
  }

  record Ip(String address, String gateway) {}

  record Error(String msg, String details, int code) {}

  /** A scalar's text (as the mapper's {@code asText}); {@code orElse} for null or absent. */
  private static String text(Object node, String orElse) {
    if (node == null) {
      return orElse;
    }
    if (node instanceof Map || node instanceof List) {
      return "";
    }
    return node.toString();
  }

  private static Object tree(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new IOException("field " + field + ": expected a JSON value, found the end");
    }
    switch (t) {
      case START_OBJECT:
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, tree(p, field + "." + name));
        }
        return map;
      case START_ARRAY:
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(tree(p, field + "[" + list.size() + "]"));
        }
        return list;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getNumberValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("field " + field + ": unexpected " + t);
    }
  }

  private static void write(JsonGenerator g, Object node) throws IOException {
    if (node == null) {
      g.writeNull();
    } else if (node instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName((String) e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (node instanceof List<?> list) {
      g.writeStartArray();
      for (Object item : list) {
        write(g, item);
      }
      g.writeEndArray();
    } else if (node instanceof String s) {
      g.writeString(s);
    } else if (node instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (node instanceof Integer i) {
      g.writeNumber(i);
    } else if (node instanceof Long l) {
      g.writeNumber(l);
    } else if (node instanceof BigInteger b) {
      g.writeNumber(b);
    } else if (node instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (node instanceof Float f) {
      g.writeNumber(f);
    } else {
      g.writeNumber(((Number) node).doubleValue());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CniResult other && Objects.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(value);
  }

  /** Compact JSON. */
  @Override
  public String toString() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = StreamingJson.generator(out)) {
      write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
