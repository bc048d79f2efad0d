package dev.stamp.runtime.network;

import static dev.stamp.runtime.fs.StreamingJson.field;
import static dev.stamp.runtime.fs.StreamingJson.string;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.fs.StreamingJson;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The network records ({@code networks/NAME.json}, {@code networks/attachments/ID.json}) through
 * Jackson's streaming API: the bytes the object mapper with {@code INDENT_OUTPUT} wrote (fields in
 * component order, nulls written, Jackson's default pretty printer); reading takes missing fields
 * as null or 0 and skips unknown ones. A CLI's {@code run} on a bridge network loads no data
 * binding.
 */
final class NetworkRecordJson {

  private NetworkRecordJson() {}

  /** {@link NetworkConfig}: name, bridge, subnet. */
  static final JsonRecordDir.Codec<NetworkConfig> NETWORK =
      new JsonRecordDir.Codec<>() {
        @Override
        public NetworkConfig read(byte[] json) throws IOException {
          return readNetwork(json);
        }

        @Override
        public void write(NetworkConfig n, OutputStream out) throws IOException {
          try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            field(g, "name", n.name());
            field(g, "bridge", n.bridge());
            field(g, "subnet", n.subnet());
            g.writeEndObject();
          }
        }
      };

  /** {@link AttachmentRecord}, its CNI result as the plugin's tree. */
  static final JsonRecordDir.Codec<AttachmentRecord> ATTACHMENT =
      new JsonRecordDir.Codec<>() {
        @Override
        public AttachmentRecord read(byte[] json) throws IOException {
          return readAttachment(json);
        }

        @Override
        public void write(AttachmentRecord r, OutputStream out) throws IOException {
          try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            field(g, "containerId", r.containerId());
            field(g, "network", r.network());
            field(g, "bridge", r.bridge());
            field(g, "subnet", r.subnet());
            field(g, "netnsPath", r.netnsPath());
            g.writeFieldName("ports");
            g.writeStartArray();
            for (PortMapping p : r.ports()) {
              PortMappingJson.write(g, p);
            }
            g.writeEndArray();
            field(g, "state", r.state());
            field(g, "ipAddress", r.ipAddress());
            field(g, "gateway", r.gateway());
            g.writeFieldName("cniResult");
            if (r.cniResult() == null) {
              g.writeNull();
            } else {
              r.cniResult().write(g);
            }
            g.writeEndObject();
          }
        }
      };

  private static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator g = StreamingJson.generator(out);
    g.setPrettyPrinter(new DefaultPrettyPrinter());
    return g;
  }

  private static NetworkConfig readNetwork(byte[] json) throws IOException {
    String name = null;
    String bridge = null;
    String subnet = null;
    try (JsonParser p = StreamingJson.parser(json)) {
      StreamingJson.startObject(p, "network");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "name":
            name = string(p, f);
            break;
          case "bridge":
            bridge = string(p, f);
            break;
          case "subnet":
            subnet = string(p, f);
            break;
          default:
            p.skipChildren();
        }
      }
    }
    return new NetworkConfig(name, bridge, subnet);
  }

  private static AttachmentRecord readAttachment(byte[] json) throws IOException {
    String containerId = null;
    String network = null;
    String bridge = null;
    String subnet = null;
    String netnsPath = null;
    List<PortMapping> ports = null;
    String state = null;
    String ipAddress = null;
    String gateway = null;
    CniResult cniResult = null;
    try (JsonParser p = StreamingJson.parser(json)) {
      StreamingJson.startObject(p, "network attachment");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "containerId":
            containerId = string(p, f);
            break;
          case "network":
            network = string(p, f);
            break;
          case "bridge":
            bridge = string(p, f);
            break;
          case "subnet":
            subnet = string(p, f);
            break;
          case "netnsPath":
            netnsPath = string(p, f);
            break;
          case "ports":
            ports = ports(p);
            break;
          case "state":
            state = string(p, f);
            break;
          case "ipAddress":
            ipAddress = string(p, f);
            break;
          case "gateway":
            gateway = string(p, f);
            break;
          case "cniResult":
            cniResult = CniResult.read(p, f);
            break;
          default:
            p.skipChildren();
        }
      }
    }
    if (ports == null) {
      throw new IOException("field ports: missing (expected an array of port mappings)");
    }
    return new AttachmentRecord(
        containerId,
        network,
        bridge,
        subnet,
        netnsPath,
        ports,
        state,
        ipAddress,
        gateway,
        cniResult);
  }

  private static List<PortMapping> ports(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startArray(p, "ports");
    List<PortMapping> ports = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      ports.add(PortMappingJson.read(p, "ports[" + ports.size() + "]"));
    }
    return ports;
  }
}
