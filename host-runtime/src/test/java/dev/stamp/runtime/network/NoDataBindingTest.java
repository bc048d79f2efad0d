package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.fs.JsonRecordDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a CLI's bridge {@code run} does with network JSON (write and read the network and the
 * attachment records, build both plugins' configurations, parse a plugin's result, compare
 * subnets), done in a JVM of its own that logs every class it loads: no Jackson data binding among
 * them, and no record's generated equals/hashCode (their {@code ObjectMethods} bootstrap).
 */
class NoDataBindingTest {

  @TempDir Path dir;

  /** The child JVM's work; args: a directory to write records in. */
  public static final class BridgeRunJson {
    public static void main(String[] args) throws Exception {
      Path networks = Path.of(args[0]);
      JsonRecordDir<AttachmentRecord> attachments = NetworkManager.attachmentRecords(networks);
      AttachmentRecord intent =
          AttachmentRecord.intent(
              "c1",
              NetworkConfig.defaultNetwork(),
              networks.resolve("netns/c1"),
              List.of(PortMapping.tcp(8080, 80)));
      attachments.write(intent);
      CniPlugins cni = new CniPlugins(networks.resolve("ipam"));
      cni.bridgeConf(intent, null);
      CniResult result =
          CniResult.parse(
              "{\"ips\":[{\"address\":\"10.88.0.2/16\",\"gateway\":\"10.88.0.1\"}]}"
                  .getBytes(StandardCharsets.UTF_8));
      cni.portmapConf(intent, result);
      CniResult.Ip ip = result.ips().get(0);
      attachments.write(intent.attached("10.88.0.2", ip.gateway(), result));
      if (!attachments.read("c1").orElseThrow().complete()) {
        throw new AssertionError("the attached record did not read back");
      }
      JsonRecordDir<NetworkConfig> configs =
          new JsonRecordDir<>(
              networks,
              networks.resolve("lock"),
              NetworkRecordJson.NETWORK,
              NetworkConfig::name,
              "network");
      configs.write(NetworkConfig.of("backend", "stampbe0", "10.99.0.0/24"));
      configs.all();
      // the attach's stale-bridge check compares the routes' subnets with the network's
      Subnet wanted = Subnet.parseTrusted("10.88.0.0/16");
      boolean stale =
          DefaultSubnet.parse(List.of("Iface Destination", "stamp0 00005A0A 0 0 0 0 0 0000FFFF"))
              .stream()
              .anyMatch(r -> !r.destination().equals(wanted));
      if (!stale || !java.util.Set.of(wanted).contains(Subnet.parseTrusted("10.88.0.0/16"))) {
        throw new AssertionError("10.90.0.0/16 compared equal to 10.88.0.0/16");
      }
    }
  }

  @Test
  void theBridgeRunsNetworkJsonLoadsNoDataBinding() throws Exception {
    Path log = dir.resolve("classes.log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-Xshare:off",
                "-Xlog:class+load=info:file=" + log,
                "-cp",
                System.getProperty("java.class.path"),
                BridgeRunJson.class.getName(),
                dir.resolve("networks").toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(output).isZero();
    List<String> loaded = Files.readAllLines(log);
    assertThat(loaded).as("the child logged its classes").anyMatch(l -> l.contains("CniResult"));
    assertThat(loaded.stream().filter(l -> l.contains("com.fasterxml.jackson.databind")))
        .as("data binding classes loaded")
        .isEmpty();
    assertThat(loaded.stream().filter(l -> l.contains("java.lang.runtime.ObjectMethods")))
        .as("a record's generated equals/hashCode linked (~20 ms of method-handle spinning)")
        .isEmpty();
  }
}
