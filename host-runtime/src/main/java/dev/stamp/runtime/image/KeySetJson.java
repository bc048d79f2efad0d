package dev.stamp.runtime.image;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * JSON form of a set of keys as the image config writes {@code ExposedPorts} and {@code Volumes}:
 * {@code {"80/tcp":{},"443/tcp":{}}}, keys sorted.
 */
final class KeySetJson {

  private KeySetJson() {}

  static final class Serializer extends JsonSerializer<Set<String>> {
    @Override
    public void serialize(Set<String> keys, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartObject();
      for (String key : new TreeSet<>(keys)) {
        gen.writeFieldName(key);
        gen.writeStartObject();
        gen.writeEndObject();
      }
      gen.writeEndObject();
    }
  }

  static final class Deserializer extends JsonDeserializer<Set<String>> {
    @Override
    public Set<String> deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      JsonNode node = parser.readValueAsTree();
      Set<String> keys = new TreeSet<>();
      if (node != null && node.isObject()) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
          keys.add(it.next());
        }
      }
      return keys;
    }
  }
}
