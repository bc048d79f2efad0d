package dev.stamp.runtime.network;

import static dev.stamp.runtime.network.HostNet.bridgePorts;
import static dev.stamp.runtime.network.HostNet.leftovers;
import static dev.stamp.testkit.HttpFetch.getWhenUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real namespaces, veths, a real bridge and iptables rules; each test on a bridge of its own. */
@RequiresRoot
class NetworkManagerIT {

  @TempDir Path tmp;

  private Path root;
  private NetworkManager net;
  private NetworkConfig network;
  private Path www;
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    net = NetworkManager.open(new StampRoot(root));
    network = net.saveNetwork(HostNet.uniqueNetwork("bridge"));
    www = Files.createDirectories(tmp.resolve("www"));
    Files.writeString(www.resolve("index.html"), "hello from the container\n");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (String id : net.containersWithNetworkState()) {
      net.detach(id);
    }
    net.removeNetwork("bridge");
    assertThat(HostNet.linkExists(network.bridge())).as("bridge removed").isFalse();
    assertThat(HostNet.run("nft", "list", "tables"))
        .as("loopback guard removed with the root's last bridge")
        .doesNotContain(net.loopbackGuard().tableName());
  }

  @Test
  void bridgeAttachmentHasANamespaceAnAddressAndTheBridge() throws Exception {
    String id = newId();
    NetworkAttachment a = net.attach(id, NetworkMode.defaultMode(), List.of());

    Path netns = a.netnsPath().orElseThrow();
    assertThat(netns).isEqualTo(root.resolve("netns").resolve(id));
    assertThat(NetnsFile.isNamespace(netns)).isTrue();
    String ip = a.ipAddress().orElseThrow();
    assertThat(network.parsedSubnet().contains(Ipv4.parse(ip).orElseThrow())).isTrue();
    assertThat(a.gateway()).contains(network.gateway());
    assertThat(HostNet.addressInside(netns)).isEqualTo(ip + "/24");
    assertThat(HostNet.run("nsenter", "--net=" + netns, "ip", "-o", "link", "show", "lo"))
        .contains("UP");
    assertThat(HostNet.run("nsenter", "--net=" + netns, "ip", "route", "show", "default"))
        .contains("via " + network.gateway());
    assertThat(HostNet.run("ip", "-4", "-o", "addr", "show", "dev", network.bridge()))
        .contains(network.gateway() + "/24");
    assertThat(bridgePorts(network.bridge())).hasSize(1);
    assertThat(net.attachment(id)).contains(a);
    assertThat(net.containersWithNetworkState()).containsExactly(id);
  }

  @Test
  void publishedPortServesTheContainerOnLoopbackAndOtherHostAddresses() throws Exception {
    String id = newId();
    int port = TestNetworks.freePort();
    NetworkAttachment a =
        net.attach(id, NetworkMode.defaultMode(), List.of(PortMapping.parse(port + ":8080")));
    assertThat(a.ports()).containsExactly(PortMapping.tcp(port, 8080));
    processes.add(HostNet.httpdIn(a.netnsPath().orElseThrow(), www));

    assertThat(getWhenUp("http://127.0.0.1:" + port + "/index.html"))
        .isEqualTo("hello from the container\n");
    for (String address : HostNet.otherHostAddresses()) {
      assertThat(getWhenUp("http://" + address + ":" + port + "/index.html"))
          .as("via %s", address)
          .isEqualTo("hello from the container\n");
    }
  }

  @Test
  void ephemeralHostPortsAreResolvedAndServe() throws Exception {
    String id = newId();
    NetworkAttachment a =
        net.attach(
            id,
            NetworkMode.defaultMode(),
            List.of(PortMapping.parse("8080"), PortMapping.parse("127.0.0.1::8080")));
    assertThat(a.ports()).hasSize(2).noneMatch(PortMapping::ephemeral);
    assertThat(a.ports().get(0).hostPort()).isNotEqualTo(a.ports().get(1).hostPort());
    processes.add(HostNet.httpdIn(a.netnsPath().orElseThrow(), www));

    for (PortMapping p : a.ports()) {
      assertThat(getWhenUp("http://127.0.0.1:" + p.hostPort() + "/index.html"))
          .as("%s", p.describe())
          .isEqualTo("hello from the container\n");
    }
    assertThat(net.attachment(id).orElseThrow().ports()).isEqualTo(a.ports());
  }

  @Test
  void containersOnOneBridgeReachEachOtherByAddress() throws Exception {
    NetworkAttachment server = net.attach(newId(), NetworkMode.defaultMode(), List.of());
    NetworkAttachment client = net.attach(newId(), NetworkMode.defaultMode(), List.of());
    assertThat(server.ipAddress()).isNotEqualTo(client.ipAddress());
    processes.add(HostNet.httpdIn(server.netnsPath().orElseThrow(), www));
    String url = "http://" + server.ipAddress().orElseThrow() + ":8080/index.html";
    assertThat(getWhenUp(url)).isEqualTo("hello from the container\n");

    String fromClient =
        HostNet.run(
            "nsenter",
            "--net=" + client.netnsPath().orElseThrow(),
            "/bin/busybox",
            "wget",
            "-q",
            "-O-",
            url);
    assertThat(fromClient).isEqualTo("hello from the container\n");
  }

  @Test
  void aPortAHostProcessListensOnIsRefusedAndNothingIsLeft() throws Exception {
    String id = newId();
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  net.attach(
                      id, NetworkMode.defaultMode(), List.of(PortMapping.parse(port + ":80"))))
          .hasMessage(
              "publish 0.0.0.0:" + port + "->80/tcp: host port " + port + " is already in use")
          .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(Kind.CONFLICT));
    }
    assertThat(leftovers(net, id, root)).isEmpty();
    assertThat(net.containersWithNetworkState()).isEmpty();
  }

  @Test
  void aPortAnotherContainerPublishesIsRefusedAndNothingIsLeft() throws Exception {
    int port = TestNetworks.freePort();
    String first = newId();
    net.attach(first, NetworkMode.defaultMode(), List.of(PortMapping.tcp(port, 80)));
    List<String> vethsBefore = bridgePorts(network.bridge());

    String second = newId();
    assertThatThrownBy(
            () ->
                net.attach(
                    second,
                    NetworkMode.defaultMode(),
                    List.of(PortMapping.parse("127.0.0.1:" + port + ":90"))))
        .hasMessage(
            "publish 127.0.0.1:"
                + port
                + "->90/tcp: host port "
                + port
                + " is already in use (published by container "
                + first
                + ")")
        .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(Kind.CONFLICT));
    assertThat(leftovers(net, second, root)).isEmpty();
    assertThat(bridgePorts(network.bridge())).isEqualTo(vethsBefore);
    assertThat(net.containersWithNetworkState()).containsExactly(first);
  }

  @Test
  void detachLeavesNothingAndASecondDetachIsANoOp() throws Exception {
    String id = newId();
    NetworkAttachment a =
        net.attach(
            id,
            NetworkMode.defaultMode(),
            List.of(PortMapping.tcp(TestNetworks.freePort(), 80), PortMapping.parse("53/udp")));
    assertThat(HostNet.run("iptables-save")).contains(id);
    assertThat(leftovers(net, id, root)).isNotEmpty();
    assertThat(a.ipAddress()).isPresent();

    net.detach(id);
    assertThat(leftovers(net, id, root)).isEmpty();
    assertThat(bridgePorts(network.bridge())).isEmpty();
    net.detach(id);
    assertThat(leftovers(net, id, root)).isEmpty();
    assertThat(net.attachment(id)).isEmpty();

    NetworkAttachment again = net.attach(id, NetworkMode.defaultMode(), List.of());
    assertThat(again.ipAddress()).isPresent();
  }

  @Test
  void theLoopbackGuardComesBeforeRouteLocalnetAndStaysWhileTheBridgeHasIt() throws Exception {
    String table = "table ip " + net.loopbackGuard().tableName() + "\n";
    String plain = newId();
    net.attach(plain, NetworkMode.defaultMode(), List.of());
    assertThat(RouteLocalnet.isOn(network.bridge())).isFalse();
    assertThat(HostNet.run("nft", "list", "tables")).as("no ports: no guard").doesNotContain(table);

    String published = newId();
    net.attach(published, NetworkMode.defaultMode(), List.of(PortMapping.parse("127.0.0.1::80")));
    assertThat(RouteLocalnet.isOn(network.bridge())).as("portmap's route_localnet").isTrue();
    assertThat(HostNet.run("nft", "list", "tables")).contains(table);

    HostNet.run("nft", "delete", "table", "ip", net.loopbackGuard().tableName());
    String third = newId();
    NetworkManager.open(new StampRoot(root)).attach(third, NetworkMode.defaultMode(), List.of());
    assertThat(HostNet.run("nft", "list", "tables"))
        .as("another process's attach to a bridge with route_localnet puts the guard back")
        .contains(table);

    for (String id : List.of(plain, published, third)) {
      net.detach(id);
    }
    assertThat(RouteLocalnet.isOn(network.bridge())).isTrue();
    assertThat(HostNet.run("nft", "list", "tables"))
        .as("the bridge keeps route_localnet, so the guard stays")
        .contains(table);
  }

  @Test
  void attachingTwiceIsAConflict() throws Exception {
    String id = newId();
    net.attach(id, NetworkMode.defaultMode(), List.of());
    assertThatThrownBy(() -> net.attach(id, NetworkMode.defaultMode(), List.of()))
        .hasMessage("attach container " + id + ": it already has network state (detach it first)")
        .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(Kind.CONFLICT));
    assertThat(bridgePorts(network.bridge())).hasSize(1);
  }

  @Test
  void networkInUseCannotBeChangedOrRemoved() throws Exception {
    String id = newId();
    net.attach(id, NetworkMode.defaultMode(), List.of());
    assertThatThrownBy(() -> net.removeNetwork("bridge"))
        .hasMessage("remove network bridge: container " + id + " is attached to it");
    assertThatThrownBy(() -> net.saveNetwork(NetworkConfig.defaultNetwork()))
        .hasMessage("change network bridge: container " + id + " is attached to it");
  }

  @Test
  void parallelAttachesGetDistinctAddressesAndPorts() throws Exception {
    int n = 4;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      List<java.util.concurrent.Future<NetworkAttachment>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String id = newId();
        futures.add(
            pool.submit(
                () -> net.attach(id, NetworkMode.defaultMode(), List.of(PortMapping.parse("80")))));
      }
      List<NetworkAttachment> all = new ArrayList<>();
      for (var f : futures) {
        all.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(all.stream().map(NetworkAttachment::ipAddress).distinct()).hasSize(n);
      assertThat(all.stream().map(a -> a.ports().get(0).hostPort()).distinct()).hasSize(n);
      assertThat(bridgePorts(network.bridge())).hasSize(n);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void loopbackComesUpInAThreadsOwnNamespace() throws Exception {
    java.util.concurrent.CompletableFuture<String> seen =
        new java.util.concurrent.CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                if (dev.stamp.runtime.linux.LibC.INSTANCE.unshare(
                        dev.stamp.runtime.linux.LibC.CLONE_NEWNET)
                    != 0) {
                  seen.complete("unshare failed");
                  return;
                }
                String before = loopbackEcho();
                Loopback.bringUp();
                seen.complete(before + " / " + loopbackEcho());
              } catch (Exception e) {
                seen.complete(e.toString());
              }
            });
    thread.start();
    thread.join();
    assertThat(seen.get()).isEqualTo("unreachable / connected");
  }

  /** Connects to a listener on 127.0.0.1 in the calling thread's network namespace. */
  private static String loopbackEcho() {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        java.net.Socket client = new java.net.Socket()) {
      client.connect(server.getLocalSocketAddress(), 2000);
      return "connected";
    } catch (java.io.IOException e) {
      return "unreachable";
    }
  }

  // --- kill -9 in the middle of attach: every intermediate state is cleaned by detach ---

  @Test
  void detachCleansAnIntentWithNothingCreated() throws Exception {
    String id = newId();
    AttachmentRecord intent = intent(id, List.of(PortMapping.tcp(TestNetworks.freePort(), 80)));
    store().write(intent);

    net.detach(id);
    assertThat(leftovers(net, id, root)).isEmpty();
  }

  @Test
  void detachCleansAnEmptyNamespaceFileLeftBeforeTheMount() throws Exception {
    String id = newId();
    store().write(intent(id, List.of()));
    Files.createDirectories(net.netnsPath(id).getParent());
    Files.createFile(net.netnsPath(id));

    net.detach(id);
    assertThat(leftovers(net, id, root)).isEmpty();
  }

  @Test
  void detachCleansANamespaceConnectedWithoutTheFinalRecord() throws Exception {
    String id = newId();
    AttachmentRecord intent = intent(id, List.of(PortMapping.tcp(TestNetworks.freePort(), 8080)));
    store().write(intent);
    NetnsFile.create(net.netnsPath(id));
    new CniPlugins(root.resolve("networks/ipam")).add(intent);
    assertThat(HostNet.run("iptables-save")).contains(id);
    assertThat(bridgePorts(network.bridge())).hasSize(1);

    net.detach(id);
    assertThat(leftovers(net, id, root)).isEmpty();
    assertThat(bridgePorts(network.bridge())).isEmpty();
  }

  @Test
  void detachCleansAfterTheNamespaceFileWasRemovedBehindItsBack() throws Exception {
    String id = newId();
    net.attach(
        id, NetworkMode.defaultMode(), List.of(PortMapping.tcp(TestNetworks.freePort(), 80)));
    NetnsFile.remove(net.netnsPath(id));
    assertThat(HostNet.bridgePortsOnceSettled(network.bridge()))
        .as("veth died with the namespace")
        .isEmpty();

    net.detach(id);
    assertThat(leftovers(net, id, root)).isEmpty();
  }

  @Test
  void aJvmKilledWithSignal9AtEachStageOfAttachIsCleanedByDetach() throws Exception {
    for (Stage stage : Stage.values()) {
      String id = newId();
      Process child = AttachInChild.start(root, id, TestNetworks.freePort());
      processes.add(child);
      try {
        waitFor(stage, id, child);
      } finally {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      net.detach(id);
      assertThat(leftovers(net, id, root)).as("after a kill at %s", stage).isEmpty();
      assertThat(HostNet.bridgePortsOnceSettled(network.bridge()))
          .as("after a kill at %s", stage)
          .isEmpty();
    }
    NetworkAttachment after = net.attach(newId(), NetworkMode.defaultMode(), List.of());
    assertThat(after.ipAddress()).as("the bridge still works").isPresent();
  }

  @Test
  void aBridgeLeftWithoutAddressAndWithAZeroMacStillTakesContainers() throws Exception {
    // What an attach killed between the plugin's veth and its gateway address leaves, once the
    // veth is gone: the kernel drops a portless bridge's MAC to zero.
    String veth = "stv" + newId().substring(2, 10);
    HostNet.run("ip", "link", "add", network.bridge(), "type", "bridge");
    HostNet.run("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "p");
    HostNet.run("ip", "link", "set", veth, "master", network.bridge());
    HostNet.run("ip", "link", "del", veth);
    assertThat(HostNet.run("cat", "/sys/class/net/" + network.bridge() + "/address"))
        .isEqualTo("00:00:00:00:00:00\n");

    NetworkAttachment a = net.attach(newId(), NetworkMode.defaultMode(), List.of());
    assertThat(a.ipAddress()).isPresent();
    assertThat(HostNet.run("cat", "/sys/class/net/" + network.bridge() + "/address"))
        .isNotEqualTo("00:00:00:00:00:00\n");
  }

  /** Where the child JVM is killed: as soon as each of these is visible from outside. */
  private enum Stage {
    INTENT_WRITTEN,
    NAMESPACE_MOUNTED,
    VETH_ON_BRIDGE,
    ATTACHED
  }

  private void waitFor(Stage stage, String id, Process child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && child.isAlive()) {
      if (reached(stage, id)) {
        return;
      }
      Thread.sleep(1);
    }
    throw new AssertionError(
        "child never reached " + stage + ": " + new String(child.getInputStream().readAllBytes()));
  }

  private boolean reached(Stage stage, String id) throws Exception {
    return switch (stage) {
      case INTENT_WRITTEN -> store().read(id).isPresent();
      case NAMESPACE_MOUNTED -> NetnsFile.isNamespace(net.netnsPath(id));
      case VETH_ON_BRIDGE ->
          HostNet.linkExists(network.bridge()) && !bridgePorts(network.bridge()).isEmpty();
      case ATTACHED -> store().read(id).map(AttachmentRecord::complete).orElse(false);
    };
  }

  private AttachmentRecord intent(String id, List<PortMapping> ports) {
    return AttachmentRecord.intent(id, network, net.netnsPath(id), ports);
  }

  private JsonRecordDir<AttachmentRecord> store() {
    return NetworkManager.attachmentRecords(root.resolve("networks"));
  }

  private static String newId() {
    byte[] bytes = new byte[8];
    ThreadLocalRandom.current().nextBytes(bytes);
    return "it" + HexFormat.of().formatHex(bytes);
  }

  @Test
  void unknownNetworkIsNotFoundAndCreatesNothing() throws Exception {
    String id = newId();
    assertThatThrownBy(() -> net.attach(id, new NetworkMode.Bridge("nope"), List.of()))
        .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(Kind.NOT_FOUND))
        .hasMessageStartingWith("network nope: not found");
    assertThat(Files.exists(net.netnsPath(id))).isFalse();
    assertThat(net.containersWithNetworkState()).isEmpty();
  }
}
