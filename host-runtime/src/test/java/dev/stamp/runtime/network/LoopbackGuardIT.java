package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.ExecResult;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampRootTest;
import dev.stamp.testkit.TestNetworks;
import dev.stamp.testkit.TestStateRoot;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * CVE-2020-8558 tried for real: a Stamp container on a bridge of the test's own, holding the
 * default capabilities ({@code CAP_NET_RAW} among them), sends a hand-made TCP SYN for 127.0.0.1 to
 * the gateway's MAC address with {@code rawsyn} (test resource, compiled here with {@code gcc
 * -static}) while a host socket listens on 127.0.0.1 only, and a port published with {@code -p
 * 127.0.0.1:H:C} puts {@code route_localnet} on the bridge. The same sender's SYN to a listener on
 * the gateway's own address is answered (the probe works and the host is reachable), the one for
 * 127.0.0.1 is not, nor is a UDP datagram for 127.0.0.1 delivered (from the container's address or
 * spoofed from 127.0.0.1), while the published port still serves from the host and the container
 * still reaches the other container.
 */
@RequiresRoot
@StampRootTest
class LoopbackGuardIT {

  private static final String PAGE = "served by the container\n";
  private static final Pattern DROPPED = Pattern.compile("counter packets (\\d+) bytes \\d+ drop");

  TestStateRoot state;
  NetworkManager net;
  NetworkConfig network;
  ContainerRuntime runtime;
  LoopbackGuard guard;
  Path rootfs;

  @BeforeEach
  void setUp(TestStateRoot state) throws Exception {
    this.state = state;
    StampRoot root = new StampRoot(state.path());
    net = NetworkManager.open(root);
    TestNetworks.Net n = TestNetworks.unique();
    network = net.saveNetwork(NetworkConfig.of("bridge", n.bridge(), n.subnet()));
    runtime = ContainerRuntime.open(root);
    guard = net.loopbackGuard();
    rootfs = BusyboxRootfs.create(state.scratch().resolve("rootfs"));
    Files.writeString(Files.createDirectories(rootfs.resolve("www")).resolve("index.html"), PAGE);
    Files.copy(compileRawsyn(state.scratch().resolve("rawsyn")), rootfs.resolve("bin/rawsyn"));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    for (ContainerInfo info : runtime.list(true)) {
      state.track(info.id());
      runtime.remove(info.id(), true);
    }
    assertThat(net.containersWithNetworkState()).isEmpty();
    assertThat(nft("list", "tables")).contains("table ip " + guard.tableName() + "\n");
    net.removeNetwork("bridge");
    assertThat(nft("list", "tables"))
        .as("the guard goes with the root's last bridge")
        .doesNotContain(guard.tableName());
  }

  @Test
  void rawPacketsForHostLoopbackGetNoAnswerWhileThePublishedPortServes() throws Exception {
    try (ServerSocket loopbackOnly = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Server server = startServer();
      String client = startClient();
      assertThat(guard())
          .contains("iifname != \"lo\" ip daddr 127.0.0.0/8 ct status dnat accept")
          .contains("iifname != \"lo\" ip daddr 127.0.0.0/8 counter packets 0 bytes 0 drop");

      Probe probe = probe(client, server, loopbackOnly.getLocalPort());

      assertThat(probe.gateway()).as(probe.output()).startsWith("SYN-ACK from ");
      assertThat(probe.loopback()).as(probe.output()).isEqualTo("no answer");
      assertThat(probe.web()).as(probe.output()).isEqualTo(PAGE.strip());
      assertThat(probe.udp()).as("datagrams from the container, spoofed or not").isEmpty();
      assertThat(dropped()).as("packets the guard dropped").isPositive();
      assertThat(HttpFetch.getWhenUp(server.url())).isEqualTo(PAGE);
    }
  }

  @Test
  void aRawSynForAPortNothingListensOnOnLoopbackGetsNoResetEither() throws Exception {
    Server server = startServer();
    Probe probe = probe(startClient(), server, TestNetworks.freePort());
    assertThat(probe.gateway()).as(probe.output()).startsWith("SYN-ACK from ");
    assertThat(probe.loopback()).as(probe.output()).isEqualTo("no answer");
  }

  /**
   * Shows the hole the guard closes: the same probe with the root's guard table deleted is answered
   * by the loopback-only listener. Opt-in ({@code -Dstamp.loopnet.unguarded=true}): it opens the
   * hole on this host for the probe's 2 s, and another root's guard on the host (an engineer's test
   * running meanwhile) would close it again.
   */
  @Test
  @EnabledIfSystemProperty(named = "stamp.loopnet.unguarded", matches = "true")
  void withoutTheGuardTheLoopbackListenerAnswers() throws Exception {
    try (ServerSocket loopbackOnly = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Server server = startServer();
      String client = startClient();
      nft("delete", "table", "ip", guard.tableName());
      Probe probe;
      try {
        probe = probe(client, server, loopbackOnly.getLocalPort());
      } finally {
        guard.ensure("put the guard back");
      }
      assertThat(probe.loopback())
          .as(probe.output())
          .isEqualTo("SYN-ACK from 127.0.0.1:" + loopbackOnly.getLocalPort());
      // the spoofed one (source 127.0.0.1) the kernel drops itself: a martian source
      assertThat(probe.udp())
          .as("datagrams from the container")
          .containsExactly(net.attachment(client).orElseThrow().ipAddress().orElseThrow());
    }
  }

  // --- steps ---

  record Server(String id, String address, int hostPort) {
    String url() {
      return "http://127.0.0.1:" + hostPort + "/index.html";
    }
  }

  /** busybox httpd on port 8080, published as 127.0.0.1:H:8080 (route_localnet on the bridge). */
  private Server startServer() throws Exception {
    int hostPort = TestNetworks.freePort();
    String id =
        runtime.create(
            ContainerSpec.builder()
                .rootfs(rootfs)
                .command(List.of("httpd", "-f", "-p", "8080", "-h", "/www"))
                .port(PortMapping.parse("127.0.0.1:" + hostPort + ":8080"))
                .stopTimeout(Duration.ofSeconds(1))
                .build());
    state.track(id);
    runtime.start(id, false).close();
    String address = net.attachment(id).orElseThrow().ipAddress().orElseThrow();
    assertThat(RouteLocalnet.isOn(network.bridge())).as("route_localnet on the bridge").isTrue();
    Server server = new Server(id, address, hostPort);
    assertThat(HttpFetch.getWhenUp(server.url())).isEqualTo(PAGE);
    return server;
  }

  /**
   * What the probe printed, and the sources of the datagrams a UDP socket on 127.0.0.1 received
   * from it (one with the container's address, one spoofed from 127.0.0.1).
   */
  record Probe(String output, String gateway, String loopback, String web, List<String> udp) {}

  /**
   * In a second container on the bridge (running before the probe, so that nothing attaches
   * meanwhile): learns the gateway's MAC address (ping, ARP table), then a raw SYN to a listener on
   * the gateway's address, a raw SYN for 127.0.0.1:{@code loopbackPort}, and an HTTP GET of the
   * server container.
   */
  private Probe probe(String client, Server server, int loopbackPort) throws Exception {
    String gateway = network.gateway();
    try (ServerSocket onGateway = new ServerSocket(0, 50, InetAddress.getByName(gateway));
        DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      String script =
          String.join(
              "\n",
              "ping -c 1 -W 2 " + gateway + " > /dev/null 2>&1",
              "mac=$(awk '$1 == \"" + gateway + "\" { print $4 }' /proc/net/arp)",
              "echo \"mac: $mac\"",
              "echo \"gateway: $(rawsyn eth0 $mac "
                  + gateway
                  + " "
                  + onGateway.getLocalPort()
                  + " 2000)\"",
              "echo \"loopback: $(rawsyn eth0 $mac 127.0.0.1 " + loopbackPort + " 2000)\"",
              "rawsyn -u eth0 $mac 127.0.0.1 " + udp.getLocalPort() + " 1",
              "rawsyn -u -s 127.0.0.1 eth0 $mac 127.0.0.1 " + udp.getLocalPort() + " 1",
              "echo \"web: $(wget -q -O- http://" + server.address() + ":8080/index.html)\"");
      ExecResult result = runtime.exec(client, List.of("sh", "-c", script), Duration.ofSeconds(30));
      String output = result.output();
      assertThat(result.exitCode()).as(output).isZero();
      return new Probe(
          output,
          line(output, "gateway: "),
          line(output, "loopback: "),
          line(output, "web: "),
          received(udp));
    }
  }

  /** A container on the bridge that sleeps: the probes are run in it. */
  private String startClient() throws Exception {
    String id =
        runtime.create(
            ContainerSpec.builder()
                .rootfs(rootfs)
                .command(List.of("sleep", "600"))
                .stopTimeout(Duration.ofSeconds(1))
                .build());
    state.track(id);
    runtime.start(id, false).close();
    return id;
  }

  /** The sources of what {@code socket} received, waiting 1 s for each after the last. */
  private static List<String> received(DatagramSocket socket) throws Exception {
    List<String> sources = new ArrayList<>();
    socket.setSoTimeout(1000);
    DatagramPacket packet = new DatagramPacket(new byte[64], 64);
    try {
      while (sources.size() < 10) {
        socket.receive(packet);
        sources.add(packet.getAddress().getHostAddress());
      }
    } catch (SocketTimeoutException e) {
      // nothing more came
    }
    return sources;
  }

  private static String line(String output, String prefix) {
    return output
        .lines()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()).strip())
        .findFirst()
        .orElse("(no line " + prefix.strip() + ")");
  }

  private String guard() throws Exception {
    return nft("list", "table", "ip", guard.tableName());
  }

  private long dropped() throws Exception {
    Matcher m = DROPPED.matcher(guard());
    assertThat(m.find()).as("the guard's drop rule with its counter").isTrue();
    return Long.parseLong(m.group(1));
  }

  /** Compiles the test resource rawsyn.c with {@code gcc -static} into {@code dir}. */
  private static Path compileRawsyn(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path source = dir.resolve("rawsyn.c");
    try (InputStream in = LoopbackGuardIT.class.getResourceAsStream("rawsyn.c")) {
      assertThat(in).as("test resource rawsyn.c").isNotNull();
      Files.copy(in, source);
    }
    Path binary = dir.resolve("rawsyn");
    String out =
        run(
            "gcc (bin/setup installs it) -static",
            "gcc",
            "-static",
            "-O2",
            "-Wall",
            "-o",
            binary.toString(),
            source.toString());
    assertThat(binary).as("gcc output: %s", out).isExecutable();
    return binary;
  }

  private static String nft(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "nft";
    System.arraycopy(args, 0, command, 1, args.length);
    return run("nft", command);
  }

  private static String run(String what, String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", what).isTrue();
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
    return out;
  }
}
