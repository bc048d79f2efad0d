package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.JsonRecordDir;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network records' streaming codecs against the object mapper that wrote them before (the same
 * bytes, each reading the other's files) and the CNI configurations against the trees the plugins
 * were given before.
 */
class NetworkRecordJsonTest {

  /** The mapper network records were written with: indented, every component, nulls written. */
  private static final ObjectMapper OLD =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The attachment record as the mapper knew it, the CNI result a tree. */
  record OldAttachment(
      String containerId,
      String network,
      String bridge,
      String subnet,
      String netnsPath,
      List<PortMapping> ports,
      String state,
      String ipAddress,
      String gateway,
      JsonNode cniResult) {
    OldAttachment {
      if (cniResult != null && (cniResult.isNull() || cniResult.isMissingNode())) {
        cniResult = null; // as the old record's constructor did
      }
    }
  }

  private static final String RESULT =
      "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"stamp0\",\"mac\":\"02:42:0a:58:00:01\"},"
          + "{\"name\":\"veth1\",\"mac\":\"aa:bb:cc:dd:ee:ff\",\"sandbox\":\"/run/netns/c1\"}],"
          + "\"ips\":[{\"interface\":2,\"address\":\"10.88.0.2/16\",\"gateway\":\"10.88.0.1\"}],"
          + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{},\"big\":12345678901,"
          + "\"ratio\":0.5,\"on\":true,\"off\":false,\"none\":null,\"empty\":[]}";

  private static final String GOLDEN_ATTACHED =
      """
      {
        "containerId" : "c1",
        "network" : "bridge",
        "bridge" : "stamp0",
        "subnet" : "10.88.0.0/16",
        "netnsPath" : "/var/lib/stamp/netns/c1",
        "ports" : [ {
          "hostIp" : "0.0.0.0",
          "hostPort" : 8080,
          "containerPort" : 80,
          "protocol" : "tcp"
        }, {
          "hostIp" : "127.0.0.1",
          "hostPort" : 5353,
          "containerPort" : 53,
          "protocol" : "udp"
        } ],
        "state" : "attached",
        "ipAddress" : "10.88.0.2",
        "gateway" : "10.88.0.1",
        "cniResult" : {
          "cniVersion" : "1.0.0",
          "interfaces" : [ {
            "name" : "stamp0",
            "mac" : "02:42:0a:58:00:01"
          }, {
            "name" : "veth1",
            "mac" : "aa:bb:cc:dd:ee:ff",
            "sandbox" : "/run/netns/c1"
          } ],
          "ips" : [ {
            "interface" : 2,
            "address" : "10.88.0.2/16",
            "gateway" : "10.88.0.1"
          } ],
          "routes" : [ {
            "dst" : "0.0.0.0/0"
          } ],
          "dns" : { },
          "big" : 12345678901,
          "ratio" : 0.5,
          "on" : true,
          "off" : false,
          "none" : null,
          "empty" : [ ]
        }
      }"""
          .stripTrailing();

  private static final String GOLDEN_INTENT =
      """
      {
        "containerId" : "c2",
        "network" : "bridge",
        "bridge" : "stamp0",
        "subnet" : "10.88.0.0/16",
        "netnsPath" : "/var/lib/stamp/netns/c2",
        "ports" : [ ],
        "state" : "attaching",
        "ipAddress" : null,
        "gateway" : null,
        "cniResult" : null
      }"""
          .stripTrailing();

  private static final String GOLDEN_NETWORK =
      """
      {
        "name" : "backend",
        "bridge" : "stampbe0",
        "subnet" : "10.99.0.0/24"
      }"""
          .stripTrailing();

  @TempDir Path dir;

  private static AttachmentRecord attached() throws Exception {
    return new AttachmentRecord(
        "c1",
        "bridge",
        "stamp0",
        "10.88.0.0/16",
        "/var/lib/stamp/netns/c1",
        List.of(PortMapping.tcp(8080, 80), PortMapping.parse("127.0.0.1:5353:53/udp")),
        AttachmentRecord.ATTACHED,
        "10.88.0.2",
        "10.88.0.1",
        CniResult.parse(RESULT.getBytes(StandardCharsets.UTF_8)));
  }

  private static AttachmentRecord intent() {
    return AttachmentRecord.intent(
        "c2", NetworkConfig.defaultNetwork(), Path.of("/var/lib/stamp/netns/c2"), List.of());
  }

  private static OldAttachment old(AttachmentRecord r) throws IOException {
    return new OldAttachment(
        r.containerId(),
        r.network(),
        r.bridge(),
        r.subnet(),
        r.netnsPath(),
        r.ports(),
        r.state(),
        r.ipAddress(),
        r.gateway(),
        r.cniResult() == null ? null : OLD.readTree(r.cniResult().toString()));
  }

  private static <T> String write(JsonRecordDir.Codec<T> codec, T value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    codec.write(value, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void attachmentsAreWrittenAsTheGoldenBytesTheMapperWrote() throws Exception {
    assertThat(write(NetworkRecordJson.ATTACHMENT, attached())).isEqualTo(GOLDEN_ATTACHED);
    assertThat(write(NetworkRecordJson.ATTACHMENT, intent())).isEqualTo(GOLDEN_INTENT);
    assertThat(OLD.writeValueAsString(old(attached()))).isEqualTo(GOLDEN_ATTACHED);
    assertThat(OLD.writeValueAsString(old(intent()))).isEqualTo(GOLDEN_INTENT);
  }

  @Test
  void attachmentsTheMapperWroteAreReadAndTheMapperReadsTheCodecs() throws Exception {
    for (AttachmentRecord r : List.of(attached(), intent())) {
      byte[] byMapper = OLD.writeValueAsBytes(old(r));
      assertThat(NetworkRecordJson.ATTACHMENT.read(byMapper)).isEqualTo(r);
      byte[] byCodec = utf8(write(NetworkRecordJson.ATTACHMENT, r));
      assertThat(OLD.readValue(byCodec, OldAttachment.class)).isEqualTo(old(r));
    }
  }

  @Test
  void networksAreWrittenAndReadAsTheMapperDid() throws Exception {
    NetworkConfig n = NetworkConfig.of("backend", "stampbe0", "10.99.0.0/24");
    assertThat(write(NetworkRecordJson.NETWORK, n)).isEqualTo(GOLDEN_NETWORK);
    assertThat(OLD.writeValueAsString(n)).isEqualTo(GOLDEN_NETWORK);
    assertThat(NetworkRecordJson.NETWORK.read(utf8(GOLDEN_NETWORK))).isEqualTo(n);
    assertThat(OLD.readValue(GOLDEN_NETWORK, NetworkConfig.class)).isEqualTo(n);
  }

  @Test
  void unknownFieldsAreSkippedAndMissingOnesAreNull() throws Exception {
    String json =
        "{\"containerId\":\"c3\",\"future\":{\"a\":[1,2]},\"ports\":[{\"hostIp\":\"0.0.0.0\","
            + "\"hostPort\":1,\"containerPort\":2,\"protocol\":\"tcp\",\"extra\":1}]}";
    AttachmentRecord r = NetworkRecordJson.ATTACHMENT.read(utf8(json));
    assertThat(r.containerId()).isEqualTo("c3");
    assertThat(r.state()).isNull();
    assertThat(r.cniResult()).isNull();
    assertThat(r.ports()).containsExactly(new PortMapping("0.0.0.0", 1, 2, "tcp"));
  }

  @Test
  void aBrokenRecordNamesTheFileAndTheField() throws Exception {
    JsonRecordDir<AttachmentRecord> store = NetworkManager.attachmentRecords(dir);
    Path file = store.file("bad");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        GOLDEN_INTENT.replace("\"ports\" : [ ]", "\"ports\" : [ {\"hostPort\" : \"eighty\"} ]"));
    assertThatThrownBy(() -> store.read("bad"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("read network attachment " + file)
        .hasMessageContaining("field ports[0].hostPort: expected a number, found a string");

    Files.writeString(file, "{\"containerId\":\"bad\"}");
    assertThatThrownBy(() -> store.read("bad"))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("field ports: missing");

    Files.writeString(file, "[1]");
    assertThatThrownBy(() -> store.read("bad"))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("expected a JSON object, found an array");
  }

  @Test
  void aRecordWrittenByTheStoreIsReadBack() throws Exception {
    JsonRecordDir<AttachmentRecord> store = NetworkManager.attachmentRecords(dir);
    store.write(attached());
    assertThat(Files.readString(store.file("c1"))).isEqualTo(GOLDEN_ATTACHED);
    assertThat(store.read("c1")).contains(attached());
  }

  @Test
  void theCniResultGivesItsAddressesAndErrors() throws Exception {
    CniResult result = attached().cniResult();
    assertThat(result.ips()).containsExactly(new CniResult.Ip("10.88.0.2/16", "10.88.0.1"));
    assertThat(result.toString()).isEqualTo(OLD.readTree(RESULT).toString());
    CniResult.Error error =
        CniResult.parse(utf8("{\"code\":7,\"msg\":\"no address\",\"details\":\"range full\"}"))
            .error();
    assertThat(error).isEqualTo(new CniResult.Error("no address", "range full", 7));
    assertThat(CniResult.parse(utf8("")).ips()).isEmpty();
  }

  // --- CNI configurations: the same bytes as the ObjectNode trees the plugins were given ---

  @Test
  void cniConfigurationsAreTheBytesThePluginsWereGiven() throws Exception {
    Path ipam = Path.of("/var/lib/stamp/networks/ipam");
    CniPlugins cni = new CniPlugins(ipam);
    AttachmentRecord withPorts = attached();
    AttachmentRecord noPorts = intent();
    JsonNode prev = OLD.readTree(RESULT);
    for (AttachmentRecord r : List.of(withPorts, noPorts)) {
      assertThat(new String(cni.bridgeConf(r, null), StandardCharsets.UTF_8))
          .isEqualTo(new ObjectMapper().writeValueAsString(oldBridgeConf(r, ipam)));
      ObjectNode bridgeWithPrev = oldBridgeConf(r, ipam);
      bridgeWithPrev.set("prevResult", prev);
      assertThat(new String(cni.bridgeConf(r, withPorts.cniResult()), StandardCharsets.UTF_8))
          .isEqualTo(new ObjectMapper().writeValueAsString(bridgeWithPrev));
    }
    assertThat(new String(cni.portmapConf(withPorts, null), StandardCharsets.UTF_8))
        .isEqualTo(new ObjectMapper().writeValueAsString(oldPortmapConf(withPorts)))
        .contains("\"hostIP\":\"127.0.0.1\"");
    ObjectNode portmapWithPrev = oldPortmapConf(withPorts);
    portmapWithPrev.set("prevResult", prev);
    assertThat(
            new String(cni.portmapConf(withPorts, withPorts.cniResult()), StandardCharsets.UTF_8))
        .isEqualTo(new ObjectMapper().writeValueAsString(portmapWithPrev));
  }

  /** The bridge plugin's configuration as CniPlugins built it with the object mapper. */
  private static ObjectNode oldBridgeConf(AttachmentRecord record, Path ipamDir) {
    ObjectNode conf = oldHeader(record, "bridge");
    conf.put("bridge", record.bridge());
    conf.put("isGateway", true);
    conf.put("ipMasq", false);
    conf.put("hairpinMode", true);
    ObjectNode ipam = conf.putObject("ipam");
    ipam.put("type", "host-local");
    ipam.put("dataDir", ipamDir.toString());
    ObjectNode range = ipam.putArray("ranges").addArray().addObject();
    range.put("subnet", record.subnet());
    range.put("gateway", Subnet.parseTrusted(record.subnet()).gateway());
    ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
    return conf;
  }

  /** The portmap plugin's configuration as CniPlugins built it with the object mapper. */
  private static ObjectNode oldPortmapConf(AttachmentRecord record) {
    ObjectNode conf = oldHeader(record, "portmap");
    conf.put("snat", true);
    conf.putObject("capabilities").put("portMappings", true);
    ArrayNode mappings = conf.putObject("runtimeConfig").putArray("portMappings");
    for (PortMapping port : record.ports()) {
      ObjectNode entry = mappings.addObject();
      entry.put("hostPort", port.hostPort());
      entry.put("containerPort", port.containerPort());
      entry.put("protocol", port.protocol());
      if (!PortMapping.ANY_HOST_IP.equals(port.hostIp())) {
        entry.put("hostIP", port.hostIp());
      }
    }
    return conf;
  }

  private static ObjectNode oldHeader(AttachmentRecord record, String type) {
    ObjectNode conf = new ObjectMapper().createObjectNode();
    conf.put("cniVersion", CniPlugins.CNI_VERSION);
    conf.put("name", CniPlugins.cniNetworkName(record.network()));
    conf.put("type", type);
    return conf;
  }
}
