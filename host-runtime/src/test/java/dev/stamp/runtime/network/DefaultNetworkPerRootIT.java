package dev.stamp.runtime.network;

import static dev.stamp.testkit.HttpFetch.getWhenUp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two state roots on one host, each on its default network with a published port, at the same time
 * (before: the second root's attach failed with {@code "stamp0" already has an IP address different
 * from …} while the first root's containers sat on the shared bridge). Subnet claims go to a
 * directory of the test's own, so claims of other roots on this machine are not disturbed.
 */
@RequiresRoot
class DefaultNetworkPerRootIT {

  @TempDir Path tmp;
  private final List<NetworkManager> managers = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (NetworkManager net : managers) {
      String bridge = net.network("bridge").bridge();
      for (String id : net.containersWithNetworkState()) {
        net.detach(id);
      }
      net.removeNetwork("bridge");
      assertThat(HostNet.linkExists(bridge)).as("bridge %s removed", bridge).isFalse();
    }
  }

  @Test
  void twoRootsServeThroughTheirOwnDefaultBridgesAtOnce() throws Exception {
    Path www = Files.createDirectories(tmp.resolve("www"));
    Files.writeString(www.resolve("index.html"), "served\n");
    Path claims = tmp.resolve("claims");
    List<Integer> ports = new ArrayList<>();
    List<NetworkConfig> configs = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      NetworkManager net = NetworkManager.open(new StampRoot(tmp.resolve(name)), claims);
      managers.add(net);
      int port = TestNetworks.freePort();
      ports.add(port);
      NetworkAttachment a =
          net.attach(
              newId(), NetworkMode.defaultMode(), List.of(PortMapping.parse(port + ":8080")));
      processes.add(HostNet.httpdIn(a.netnsPath().orElseThrow(), www));
      configs.add(net.network("bridge"));
    }
    assertThat(configs.get(0).bridge()).isNotEqualTo(configs.get(1).bridge());
    assertThat(configs.get(0).subnet()).isNotEqualTo(configs.get(1).subnet());
    for (int port : ports) {
      assertThat(getWhenUp("http://127.0.0.1:" + port + "/index.html")).isEqualTo("served\n");
    }
  }

  private static String newId() {
    byte[] b = new byte[8];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
