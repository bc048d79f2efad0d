package dev.stamp.runtime.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the CNI reference plugins from Debian's {@code containernetworking-plugins} the way a CNI
 * runtime does (CNI spec 1.0.0): {@code bridge} with {@code host-local} IPAM, then {@code portmap}
 * for published ports; DEL in reverse order. The IPAM data directory is under the state root, and
 * the ADD result a runtime would cache is kept in the attachment record, so nothing lands in {@code
 * /var/lib/cni}.
 */
final class CniPlugins {

  static final Path PLUGIN_DIR = Path.of("/usr/lib/cni");
  static final String CNI_VERSION = "1.0.0";
  static final String IFNAME = "eth0";

  /**
   * util-linux {@code setpriv}, used to give each plugin a parent-death signal: if Stamp is killed
   * mid-ADD, the plugin dies with it instead of finishing behind a later DEL's back.
   */
  static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  /** Built on first use: a {@code --network none} container never runs a plugin. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private static final long TIMEOUT_SECONDS = 60;

  private final Path ipamDir;

  CniPlugins(Path ipamDir) {
    this.ipamDir = ipamDir;
  }

  /** Connects the namespace to the record's bridge; returns the bridge plugin's result. */
  JsonNode add(AttachmentRecord record) throws HostRuntimeException {
    JsonNode result = exec("ADD", "bridge", bridgeConf(record), record, record.netnsPath());
    if (!record.ports().isEmpty()) {
      ObjectNode portmap = portmapConf(record);
      portmap.set("prevResult", result);
      result = exec("ADD", "portmap", portmap, record, record.netnsPath());
    }
    return result;
  }

  /**
   * Undoes {@link #add}, whatever part of it happened: portmap's chains, then the bridge plugin's
   * address and veth. {@code netns} is empty when the namespace file is gone (the veth went with
   * it; the address is still released).
   */
  void del(AttachmentRecord record, String netns) throws HostRuntimeException {
    if (!record.ports().isEmpty()) {
      ObjectNode portmap = portmapConf(record);
      if (record.cniResult() != null) {
        portmap.set("prevResult", record.cniResult());
      }
      exec("DEL", "portmap", portmap, record, netns);
    }
    ObjectNode bridge = bridgeConf(record);
    if (record.cniResult() != null) {
      bridge.set("prevResult", record.cniResult());
    }
    exec("DEL", "bridge", bridge, record, netns);
  }

  static String cniNetworkName(String network) {
    return "stamp-" + network;
  }

  private ObjectNode bridgeConf(AttachmentRecord record) {
    ObjectNode conf = header(record, "bridge");
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

  private ObjectNode portmapConf(AttachmentRecord record) {
    ObjectNode conf = header(record, "portmap");
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

  private static ObjectNode header(AttachmentRecord record, String type) {
    ObjectNode conf = Json.MAPPER.createObjectNode();
    conf.put("cniVersion", CNI_VERSION);
    conf.put("name", cniNetworkName(record.network()));
    conf.put("type", type);
    return conf;
  }

  private JsonNode exec(
      String command, String plugin, ObjectNode conf, AttachmentRecord record, String netns)
      throws HostRuntimeException {
    String action = "CNI " + plugin + " " + command + " for container " + record.containerId();
    Path binary = PLUGIN_DIR.resolve(plugin);
    if (!Files.isExecutable(binary)) {
      throw HostRuntimeException.failed(
          action
              + ": "
              + binary
              + " is missing (install Debian's containernetworking-plugins: bin/setup)");
    }
    ProcessBuilder builder =
        Files.isExecutable(SETPRIV)
            ? new ProcessBuilder(SETPRIV.toString(), "--pdeathsig", "KILL", "--", binary.toString())
            : new ProcessBuilder(binary.toString());
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", record.containerId());
    env.put("CNI_NETNS", netns);
    env.put("CNI_IFNAME", IFNAME);
    env.put("CNI_PATH", PLUGIN_DIR.toString());
    try {
      Process process = builder.start();
      CompletableFuture<byte[]> stderr = readAsync(process.getErrorStream());
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write(Json.MAPPER.writeValueAsBytes(conf));
      }
      byte[] stdout;
      try (InputStream in = process.getInputStream()) {
        stdout = in.readAllBytes();
      }
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw HostRuntimeException.failed(action + ": no answer in " + TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        throw HostRuntimeException.failed(
            action + ": " + pluginError(stdout, stderr.join(), process.exitValue()));
      }
      return stdout.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(stdout);
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HostRuntimeException.failed(action + ": interrupted", e);
    }
  }

  /** The spec's error object ({@code {"code": N, "msg": "..."}}), else whatever it printed. */
  private static String pluginError(byte[] stdout, byte[] stderr, int exitCode) {
    try {
      JsonNode error = Json.MAPPER.readTree(stdout);
      if (error != null && error.hasNonNull("msg")) {
        String details = error.path("details").asText("");
        return error.get("msg").asText()
            + (details.isEmpty() ? "" : " (" + details + ")")
            + " (CNI error code "
            + error.path("code").asInt()
            + ")";
      }
    } catch (IOException notJson) {
      // fall through to the raw output
    }
    String text =
        (new String(stdout, StandardCharsets.UTF_8)
                + " "
                + new String(stderr, StandardCharsets.UTF_8))
            .strip()
            .replaceAll("\\s+", " ");
    return "exit " + exitCode + (text.isEmpty() ? "" : ": " + text);
  }

  /** Drains a pipe on its own thread so a chatty plugin can never block on a full pipe. */
  private static CompletableFuture<byte[]> readAsync(InputStream in) {
    CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (in) {
                bytes.complete(in.readAllBytes());
              } catch (IOException e) {
                bytes.complete(new byte[0]);
              }
            },
            "stamp-cni-stderr");
    reader.setDaemon(true);
    reader.start();
    return bytes;
  }
}
