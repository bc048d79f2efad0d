package dev.stamp.runtime.network.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.network.LoopbackGuard;
import dev.stamp.runtime.network.Nft;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nftables, conntrack, namespaces and a bridge: three replicas behind one published port on
 * 127.0.0.1, each test on a state root, bridge and /24 of its own.
 */
@RequiresRoot
class ServiceLoadBalancerIT {

  @TempDir Path tmp;

  private Path root;
  private Replicas replicas;
  private ServiceLoadBalancer lb;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    replicas = Replicas.start(root, tmp, 3);
    lb = ServiceLoadBalancer.open(new StampRoot(root), replicas.net());
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (String service : lb.servicesWithState()) {
        lb.unpublish(service);
      }
      assertThat(ruleset()).as("no table left").doesNotContain(lb.tableName());
    } finally {
      replicas.close();
    }
    assertThat(Replicas.run("nft", "list", "tables"))
        .as("the loopback guard goes with the root's last bridge")
        .doesNotContain(LoopbackGuard.tableName(new StampRoot(root)));
  }

  @Test
  void thirtyConnectionsAreSpreadRoundRobinOverThreeReplicas() throws Exception {
    int port = TestNetworks.freePort();
    ServiceEndpoint web =
        lb.publish("web", PortMapping.tcp(port, 8080), List.of(backend(0), backend(1), backend(2)));
    assertThat(web.fronts()).containsExactly(PortMapping.tcp(port, 8080));
    assertThat(lb.list()).containsExactly(web);

    Map<String, Integer> seen = spread(port, 30);
    assertThat(seen).isEqualTo(Map.of(name(0), 10, name(1), 10, name(2), 10));
    assertThat(ruleset()).contains("table ip " + lb.tableName(), "dport " + port);
    assertThat(
            Replicas.run(
                "nft", "list", "table", "ip", LoopbackGuard.tableName(new StampRoot(root))))
        .as("route_localnet is on behind the loopback guard")
        .contains("ip daddr 127.0.0.0/8 ct status dnat accept");
  }

  @Test
  void weightsShareConnectionsInProportionAndBackendsMayOmitTheirPort() throws Exception {
    int port = TestNetworks.freePort();
    lb.publish(
        "web",
        PortMapping.tcp(port, 8080),
        List.of(Backend.of(replicas.address(0), 0, 2), Backend.of(replicas.address(1))));
    assertThat(lb.backends("web"))
        .containsExactly(
            Backend.of(replicas.address(0), 8080, 2), Backend.of(replicas.address(1), 8080));
    assertThat(spread(port, 30)).isEqualTo(Map.of(name(0), 20, name(1), 10));
  }

  @Test
  void anEphemeralFrontPortIsPickedAndServes() throws Exception {
    ServiceEndpoint web = lb.publish("web", PortMapping.parse("8080"), List.of(backend(2)));
    assertThat(web.fronts().get(0).hostPort()).isPositive();
    assertThat(Replicas.get("127.0.0.1", web.fronts().get(0).hostPort())).isEqualTo(name(2));
  }

  @Test
  void containersReachTheServiceThroughTheHostIncludingTheirOwnReplica() throws Exception {
    int port = TestNetworks.freePort();
    lb.publish("web", PortMapping.tcp(port, 8080), List.of(backend(0), backend(1)));
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      answers.add(getFromReplica(0, replicas.network().gateway(), port));
    }
    assertThat(answers).containsOnly(name(0), name(1)).contains(name(0), name(1));
  }

  /**
   * {@code GET /} from inside replica {@code i}'s namespace with busybox nc (busybox wget segfaults
   * on this machine kind): the body's last line.
   */
  private String getFromReplica(int i, String host, int port) throws Exception {
    Process p =
        new ProcessBuilder(
                "nsenter",
                "--net=" + replicas.netns(i),
                "/bin/busybox",
                "nc",
                "-w",
                "5",
                host,
                String.valueOf(port))
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  @Test
  void settingBackendsSwitchesNewConnectionsAndNoneIsRefusedDuringSwitches() throws Exception {
    int port = TestNetworks.freePort();
    lb.publish("web", PortMapping.tcp(port, 8080), List.of(backend(0)));
    List<List<Integer>> sets = List.of(List.of(0, 1), List.of(1, 2), List.of(2), List.of(0));
    List<String> failures = new ArrayList<>();
    Map<String, Integer> answers = new TreeMap<>();
    int[] requests = {0};
    Thread client =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
              while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
                try {
                  String body = Replicas.get("127.0.0.1", port);
                  synchronized (answers) {
                    answers.merge(body, 1, Integer::sum);
                    requests[0]++;
                  }
                } catch (IOException e) {
                  synchronized (answers) {
                    failures.add(e.toString());
                    requests[0]++;
                  }
                }
              }
            });
    client.start();
    try {
      for (int round = 0; round < 24; round++) {
        List<Backend> set = new ArrayList<>();
        for (int i : sets.get(round % sets.size())) {
          set.add(backend(i));
        }
        assertThat(lb.setBackends("web", set).backends()).isEqualTo(set);
        Thread.sleep(25);
      }
    } finally {
      client.interrupt();
      client.join(30_000);
    }
    synchronized (answers) {
      assertThat(failures).as("failed requests of %d", requests[0]).isEmpty();
      assertThat(answers.keySet()).containsExactly(name(0), name(1), name(2));
    }
    assertThat(lb.backends("web")).containsExactly(backend(0));
    assertThat(spread(port, 5)).isEqualTo(Map.of(name(0), 5));
  }

  @Test
  void noBackendsRefusesConnectionsUntilBackendsReturn() throws Exception {
    int port = TestNetworks.freePort();
    lb.publish("web", PortMapping.tcp(port, 8080), List.of(backend(0)));
    lb.setBackends("web", List.of());
    assertThat(lb.backends("web")).isEmpty();
    assertThatThrownBy(() -> Replicas.get("127.0.0.1", port)).isInstanceOf(ConnectException.class);
    lb.setBackends("web", List.of(backend(1)));
    assertThat(Replicas.get("127.0.0.1", port)).isEqualTo(name(1));
  }

  @Test
  void anEstablishedConnectionKeepsItsBackendAfterASwitchAndDrainWaitsForIt() throws Exception {
    replicas.startEcho(0);
    replicas.startEcho(1);
    int port = TestNetworks.freePort();
    Backend a = replicas.echoBackend(0);
    Backend b = replicas.echoBackend(1);
    lb.publish("echo", PortMapping.tcp(port, Replicas.ECHO_PORT), List.of(a));

    try (Socket held = connect(port)) {
      assertThat(exchange(held, "one")).isEqualTo(name(0) + " one");
      lb.setBackends("echo", List.of(b));
      assertThat(exchange(held, "two"))
          .as("held connection after the switch")
          .isEqualTo(name(0) + " two");
      try (Socket fresh = connect(port)) {
        assertThat(exchange(fresh, "new")).isEqualTo(name(1) + " new");
      }
      assertThat(exchange(held, "three")).isEqualTo(name(0) + " three");

      assertThat(lb.flows("echo", a)).isEqualTo(1);
      var filter = ServiceLoadBalancer.flowsTo(PortMapping.tcp(port, Replicas.ECHO_PORT), a);
      assertThat(Conntrack.tool().count(filter)).as("conntrack -L agrees").isEqualTo(1);
      DrainResult early = lb.drain("echo", a, Duration.ofMillis(300));
      assertThat(early.drained()).isFalse();
      assertThat(early.remainingFlows()).isEqualTo(1);
      assertThatThrownBy(() -> lb.drain("echo", b, Duration.ofSeconds(1)))
          .hasMessage(
              "drain backend "
                  + b.endpoint()
                  + " of service echo: it still takes new connections (set the backends without"
                  + " it first)");
    }
    DrainResult drained = lb.drain("echo", a, Duration.ofSeconds(30));
    assertThat(drained.drained()).isTrue();
    assertThat(drained.remainingFlows()).isZero();
  }

  @Test
  void unpublishLeavesNoRulesAndASecondUnpublishIsANoOp() throws Exception {
    lb.publish("web", PortMapping.tcp(TestNetworks.freePort(), 8080), List.of(backend(0)));
    int apiPort = TestNetworks.freePort();
    lb.publish("api", PortMapping.parse("127.0.0.1:" + apiPort + ":8080"), List.of(backend(1)));
    assertThat(ruleset()).contains(NftRuleset.chainName("web"), NftRuleset.chainName("api"));

    lb.unpublish("web");
    assertThat(ruleset())
        .doesNotContain(NftRuleset.chainName("web"))
        .contains(NftRuleset.chainName("api"));
    assertThat(Replicas.get("127.0.0.1", apiPort)).isEqualTo(name(1));
    lb.unpublish("api");
    assertThat(ruleset()).doesNotContain(lb.tableName());
    assertThat(lb.list()).isEmpty();
    assertThat(lb.servicesWithState()).isEmpty();

    lb.unpublish("api");
    assertThat(ruleset()).doesNotContain(lb.tableName());
    assertThatThrownBy(() -> lb.backends("api"))
        .satisfies(e -> assertThat(kind(e)).isEqualTo(Kind.NOT_FOUND));
  }

  @Test
  void onlyContainersOfThisRootCanBeBackendsAndARefusedPublishLeavesNothing() throws Exception {
    int port = TestNetworks.freePort();
    assertThatThrownBy(
            () ->
                lb.publish(
                    "web",
                    PortMapping.tcp(port, 80),
                    List.of(backend(0), Backend.of("127.0.0.1", 22))))
        .hasMessage(
            "publish service web: backend 127.0.0.1:22 is not the address of a container attached in"
                + " this state root (only Stamp's own containers can be backends)")
        .satisfies(e -> assertThat(kind(e)).isEqualTo(Kind.BAD_INPUT));
    assertThat(lb.servicesWithState()).isEmpty();
    assertThat(ruleset()).doesNotContain(lb.tableName());

    try (ServerSocket taken = new ServerSocket(0)) {
      assertThatThrownBy(
              () ->
                  lb.publish(
                      "web", PortMapping.tcp(taken.getLocalPort(), 8080), List.of(backend(0))))
          .satisfies(e -> assertThat(kind(e)).isEqualTo(Kind.CONFLICT))
          .hasMessage(
              "publish service web: host port " + taken.getLocalPort() + " is already in use");
    }
    lb.publish("web", PortMapping.tcp(port, 8080), List.of(backend(0)));
    assertThatThrownBy(() -> lb.publish("web2", PortMapping.tcp(port, 8080), List.of()))
        .hasMessage(
            "publish service web2: host port "
                + port
                + "/tcp is already in use (published by"
                + " service web)");
    assertThatThrownBy(
            () -> lb.publish("web", PortMapping.tcp(TestNetworks.freePort(), 8080), List.of()))
        .hasMessage("publish service web: it is already published (unpublish it first)");
  }

  @Test
  void restoreReappliesTheTableFromTheRecords() throws Exception {
    int port = TestNetworks.freePort();
    lb.publish("web", PortMapping.tcp(port, 8080), List.of(backend(1)));
    Replicas.run("nft", "delete", "table", "ip", lb.tableName());
    assertThatThrownBy(() -> Replicas.get("127.0.0.1", port)).isInstanceOf(ConnectException.class);
    lb.restore();
    assertThat(Replicas.get("127.0.0.1", port)).isEqualTo(name(1));
  }

  // --- a Stamp process killed (signal 9) in the middle of publish or unpublish ---

  @Test
  void aJvmKilledWithSignal9AtEachStageOfPublishIsCleanedByUnpublish() throws Exception {
    for (Stage stage : Stage.values()) {
      String service = "k" + stage.ordinal();
      Process child =
          PublishInChild.start(root, service, TestNetworks.freePort(), replicas.address(0));
      try {
        waitFor(stage, service, child);
      } finally {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      lb.unpublish(service);
      assertThat(lb.servicesWithState()).as("after a kill at %s", stage).isEmpty();
      assertThat(ruleset()).as("after a kill at %s", stage).doesNotContain(lb.tableName());
    }
  }

  @Test
  void unpublishCleansEveryIntermediateState() throws Exception {
    int port = TestNetworks.freePort();
    JsonRecordDir<BalancedService> store = ServiceLoadBalancer.serviceRecords(root.resolve("lb"));
    BalancedService intent =
        new BalancedService(
            "web",
            List.of(PortMapping.tcp(port, 8080)),
            List.of(backend(0)),
            List.of(replicas.network().subnet()),
            List.of(replicas.network().bridge()),
            BalancedService.PUBLISHING);

    store.write(intent);
    assertThat(lb.list()).as("a half-made service is not listed").isEmpty();
    assertThat(lb.servicesWithState()).containsExactly("web");
    lb.unpublish("web");
    assertThat(lb.servicesWithState()).isEmpty();

    store.write(intent);
    lb.restore();
    assertThat(ruleset()).contains(NftRuleset.chainName("web"));
    lb.unpublish("web");
    assertThat(ruleset()).doesNotContain(lb.tableName());

    store.write(intent);
    lb.restore();
    store.write(intent.withState(BalancedService.UNPUBLISHING));
    assertThat(ruleset())
        .as("killed before the table changed")
        .contains(NftRuleset.chainName("web"));
    lb.publish("other", PortMapping.tcp(TestNetworks.freePort(), 8080), List.of(backend(1)));
    assertThat(ruleset())
        .as("another service's update does not resurrect a half-unpublished one")
        .doesNotContain(NftRuleset.chainName("web"))
        .contains(NftRuleset.chainName("other"));
    assertThatThrownBy(() -> lb.setBackends("web", List.of()))
        .satisfies(e -> assertThat(kind(e)).isEqualTo(Kind.CONFLICT));
    lb.unpublish("web");
    lb.unpublish("other");
    assertThat(lb.servicesWithState()).isEmpty();
    assertThat(ruleset()).doesNotContain(lb.tableName());
  }

  /** Where the child JVM is killed: as soon as each of these is visible from outside. */
  private enum Stage {
    INTENT_WRITTEN,
    TABLE_APPLIED,
    PUBLISHED
  }

  private void waitFor(Stage stage, String service, Process child) throws Exception {
    JsonRecordDir<BalancedService> store = ServiceLoadBalancer.serviceRecords(root.resolve("lb"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && child.isAlive()) {
      boolean reached =
          switch (stage) {
            case INTENT_WRITTEN -> store.read(service).isPresent();
            case TABLE_APPLIED ->
                Nft.listTable(lb.tableName()).contains(NftRuleset.chainName(service));
            case PUBLISHED -> store.read(service).map(BalancedService::complete).orElse(false);
          };
      if (reached) {
        return;
      }
      Thread.sleep(1);
    }
    throw new AssertionError(
        "child never reached " + stage + ": " + new String(child.getInputStream().readAllBytes()));
  }

  // --- helpers ---

  private Backend backend(int i) throws Exception {
    return replicas.backend(i);
  }

  private static String name(int i) {
    return Replicas.name(i);
  }

  /** {@code count} requests to 127.0.0.1:port, each on a new connection: answers by replica. */
  static Map<String, Integer> spread(int port, int count) throws IOException {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      seen.merge(Replicas.get("127.0.0.1", port), 1, Integer::sum);
    }
    return seen;
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    socket.setSoTimeout(5000);
    return socket;
  }

  /** Sends one line on the held connection and reads the answer line. */
  private static String exchange(Socket socket, String line) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII), 1);
    StringBuilder answer = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      answer.append((char) c);
    }
    return answer.toString();
  }

  /**
   * This root's table as nftables lists it, empty when there is none: only this root's, as other
   * tests on the host (other roots) may publish services of the same names meanwhile.
   */
  String ruleset() throws Exception {
    String tables = Replicas.run("nft", "list", "tables");
    return tables.contains("table ip " + lb.tableName() + "\n")
        ? Replicas.run("nft", "list", "table", "ip", lb.tableName())
        : "";
  }

  private static Kind kind(Throwable t) {
    return ((HostRuntimeException) t).kind();
  }
}
