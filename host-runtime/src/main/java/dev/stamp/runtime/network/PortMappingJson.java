package dev.stamp.runtime.network;

import static dev.stamp.runtime.fs.StreamingJson.field;
import static dev.stamp.runtime.fs.StreamingJson.intValue;
import static dev.stamp.runtime.fs.StreamingJson.string;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.stamp.runtime.fs.StreamingJson;
import java.io.IOException;

/**
 * One published port as the state files hold it ({@code hostIp}, {@code hostPort}, {@code
 * containerPort}, {@code protocol}: the container record's {@code ports} and a network
 * attachment's), through Jackson's streaming API. Each record keeps its own list rules around it.
 */
public final class PortMappingJson {
  private PortMappingJson() {}

  /** Writes {@code port} as one object, fields in the record's order. */
  public static void write(JsonGenerator g, PortMapping port) throws IOException {
    g.writeStartObject();
    field(g, "hostIp", port.hostIp());
    g.writeNumberField("hostPort", port.hostPort());
    g.writeNumberField("containerPort", port.containerPort());
    field(g, "protocol", port.protocol());
    g.writeEndObject();
  }

  /**
   * Reads the object at the parser's current token; {@code path} ({@code ports[2]}) names the
   * element in messages. Unknown fields are skipped, missing ones are null or 0.
   */
  public static PortMapping read(JsonParser p, String path) throws IOException {
    StreamingJson.startObject(p.currentToken(), path);
    String hostIp = null;
    int hostPort = 0;
    int containerPort = 0;
    String protocol = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "hostIp" -> hostIp = string(p, path + ".hostIp");
        case "hostPort" -> hostPort = intValue(p, path + ".hostPort");
        case "containerPort" -> containerPort = intValue(p, path + ".containerPort");
        case "protocol" -> protocol = string(p, path + ".protocol");
        default -> p.skipChildren();
      }
    }
    return new PortMapping(hostIp, hostPort, containerPort, protocol);
  }
}
