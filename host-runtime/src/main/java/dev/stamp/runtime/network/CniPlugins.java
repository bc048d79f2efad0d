package dev.stamp.runtime.network;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.Timeline;
import dev.stamp.runtime.fs.StreamingJson;
import dev.stamp.runtime.linux.HelperProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path ipamDir;

  CniPlugins(Path ipamDir) {
    this.ipamDir = ipamDir;
  }

  /** Connects the namespace to the record's bridge; returns the bridge plugin's result. */
  CniResult add(AttachmentRecord record) throws HostRuntimeException {
    return addPorts(record, addBridge(record));
  }

  /** {@link #add}'s first plugin: the veth on the bridge, the address. */
  CniResult addBridge(AttachmentRecord record) throws HostRuntimeException {
    return exec("ADD", "bridge", bridgeConf(record, null), record, record.netnsPath());
  }

  /** {@link #add}'s second: portmap, when the record publishes ports; returns the final result. */
  CniResult addPorts(AttachmentRecord record, CniResult bridged) throws HostRuntimeException {
    if (record.ports().isEmpty()) {
      return bridged;
    }
    return exec("ADD", "portmap", portmapConf(record, bridged), record, record.netnsPath());
  }

  /**
   * Undoes {@link #add}, whatever part of it happened: portmap's chains, then the bridge plugin's
   * address and veth. {@code netns} is empty when the namespace file is gone (the veth went with
   * it; the address is still released).
   */
  void del(AttachmentRecord record, String netns) throws HostRuntimeException {
    if (!record.ports().isEmpty()) {
      exec("DEL", "portmap", portmapConf(record, record.cniResult()), record, netns);
    }
    exec("DEL", "bridge", bridgeConf(record, record.cniResult()), record, netns);
  }

  static String cniNetworkName(String network) {
    return "stamp-" + network;
  }

  /**
   * The bridge plugin's network configuration (compact JSON, fields in the order the plugins have
   * always been given them), with {@code prevResult} last when there is one.
   */
  byte[] bridgeConf(AttachmentRecord record, CniResult prevResult) {
    return conf(
        record,
        "bridge",
        prevResult,
        g -> {
          g.writeStringField("bridge", record.bridge());
          g.writeBooleanField("isGateway", true);
          g.writeBooleanField("ipMasq", false);
          g.writeBooleanField("hairpinMode", true);
          g.writeObjectFieldStart("ipam");
          g.writeStringField("type", "host-local");
          g.writeStringField("dataDir", ipamDir.toString());
          g.writeArrayFieldStart("ranges");
          g.writeStartArray();
          g.writeStartObject();
          g.writeStringField("subnet", record.subnet());
          g.writeStringField("gateway", Subnet.parseTrusted(record.subnet()).gateway());
          g.writeEndObject();
          g.writeEndArray();
          g.writeEndArray();
          g.writeArrayFieldStart("routes");
          g.writeStartObject();
          g.writeStringField("dst", "0.0.0.0/0");
          g.writeEndObject();
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** The portmap plugin's network configuration, with {@code prevResult} last when there is one. */
  byte[] portmapConf(AttachmentRecord record, CniResult prevResult) {
    return conf(
        record,
        "portmap",
        prevResult,
        g -> {
          g.writeBooleanField("snat", true);
          g.writeObjectFieldStart("capabilities");
          g.writeBooleanField("portMappings", true);
          g.writeEndObject();
          g.writeObjectFieldStart("runtimeConfig");
          g.writeArrayFieldStart("portMappings");
          for (PortMapping port : record.ports()) {
            g.writeStartObject();
            g.writeNumberField("hostPort", port.hostPort());
            g.writeNumberField("containerPort", port.containerPort());
            g.writeStringField("protocol", port.protocol());
            if (!PortMapping.ANY_HOST_IP.equals(port.hostIp())) {
              g.writeStringField("hostIP", port.hostIp());
            }
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] conf(AttachmentRecord record, String type, CniResult prev, Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = StreamingJson.generator(out)) {
      g.writeStartObject();
      g.writeStringField("cniVersion", CNI_VERSION);
      g.writeStringField("name", cniNetworkName(record.network()));
      g.writeStringField("type", type);
      body.write(g);
      if (prev != null) {
        g.writeFieldName("prevResult");
        prev.write(g);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "write the CNI " + type + " configuration for container " + record.containerId(), e);
    }
    return out.toByteArray();
  }

  private CniResult exec(
      String command, String plugin, byte[] conf, AttachmentRecord record, String netns)
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
    List<String> argv =
        Files.isExecutable(SETPRIV)
            ? List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--", binary.toString())
            : List.of(binary.toString());
    List<String> env =
        List.of(
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            "CNI_COMMAND=" + command,
            "CNI_CONTAINERID=" + record.containerId(),
            "CNI_NETNS=" + netns,
            "CNI_IFNAME=" + IFNAME,
            "CNI_PATH=" + PLUGIN_DIR);
    Timeline.mark("cni: " + plugin, command);
    HelperProcess.Result run = HelperProcess.run(argv, env, conf, TIMEOUT, action);
    Timeline.mark("cni: " + plugin, command + " done");
    if (run.exitCode() != 0) {
      throw HostRuntimeException.failed(
          action + ": " + pluginError(run.stdout(), run.stderr(), run.exitCode()));
    }
    try {
      return run.stdout().length == 0 ? CniResult.empty() : CniResult.parse(run.stdout());
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
  }

  /** The spec's error object ({@code {"code": N, "msg": "..."}}), else whatever it printed. */
  private static String pluginError(byte[] stdout, byte[] stderr, int exitCode) {
    try {
      CniResult.Error error = CniResult.parse(stdout).error();
      if (error != null) {
        return error.msg()
            + (error.details().isEmpty() ? "" : " (" + error.details() + ")")
            + " (CNI error code "
            + error.code()
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
}
