package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.network.lb.ServiceLoadBalancer;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampRootTest;
import dev.stamp.testkit.TestNetworks;
import dev.stamp.testkit.TestStateRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Services that publish no port or several, on real containers in a root and on a bridge of the
 * test's own: a worker with no published port has no nftables rules and is still run, health
 * checked (inside the replica), replaced, restarted and recovered; a service with two published
 * ports serves both throughout a replace (both switched by one backend change) and after a replace
 * killed in flight and recovered.
 */
@RequiresRoot
@StampRootTest
class ServicePortsIT {

  TestStateRoot state;
  Path root;
  Path rootfs;
  NetworkManager net;
  ContainerRuntime runtime;
  Services services;
  ServiceLoadBalancer lb;
  Thread monitor;

  @BeforeEach
  void setUp(TestStateRoot state) throws Exception {
    this.state = state;
    root = state.path();
    StampRoot stampRoot = new StampRoot(root);
    net = NetworkManager.open(stampRoot);
    TestNetworks.Net n = TestNetworks.unique();
    net.saveNetwork(NetworkConfig.of("bridge", n.bridge(), n.subnet()));
    runtime = ContainerRuntime.open(stampRoot);
    services = Services.open(stampRoot, runtime);
    lb = ServiceLoadBalancer.open(stampRoot);
    rootfs = BusyboxRootfs.create(state.scratch().resolve("rootfs"));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    ServiceReplacer.afterStepWritten = r -> {};
    try {
      for (ServiceInfo info : services.list()) {
        info.record().containers().forEach(state::track);
        services.remove(info.record().name());
      }
      if (monitor != null) {
        monitor.join(10_000);
        assertThat(monitor.isAlive()).as("monitor thread ends with its service").isFalse();
      }
    } finally {
      for (ContainerInfo i : runtime.list(true)) {
        state.track(i.id());
        runtime.remove(i.id(), true);
      }
      assertThat(net.containersWithNetworkState()).isEmpty();
      net.removeNetwork("bridge");
      assertThat(nftTable()).as("the root's nftables table is gone").isEmpty();
    }
  }

  // --- no published port ---

  /** Writes {@code version} to /v and sleeps; PID 1 ignores SIGTERM, so stopping takes 1 s. */
  ContainerSpec worker(String version) throws Exception {
    return ContainerSpec.builder()
        .rootfs(rootfs)
        .command(List.of("sh", "-c", "echo " + version + " > /v; exec sleep 100000"))
        .stopTimeout(Duration.ofSeconds(1))
        .build();
  }

  static HealthCheck cmdCheck() { // run inside the replica: needs no port
    return HealthCheck.shell("test -s /v")
        .withInterval(Duration.ofMillis(200))
        .withTimeout(Duration.ofSeconds(2))
        .withRetries(2);
  }

  @Test
  void aServiceWithoutPortsRunsIsHealthCheckedReplacedRestartedAndRecoveredWithoutRules()
      throws Exception {
    ServiceRecord first = services.run("worker", 2, List.of(), cmdCheck(), worker("v1"));
    first.containers().forEach(state::track);
    assertThat(first.fronts()).isEmpty();
    assertThat(first.state()).isEqualTo(ServiceState.RUNNING);
    assertThat(first.containers()).hasSize(2);
    assertThat(versions(first)).containsExactly("v1", "v1");
    assertThat(nftTable()).as("no rules: the root has no table at all").isEmpty();

    startMonitor("worker");
    awaitHealthy("worker", 2);

    ServiceRecord startFirst = services.replace("worker", worker("v2"), ReplaceOptions.defaults());
    startFirst.containers().forEach(state::track);
    assertThat(startFirst.generation()).isEqualTo(1);
    assertThat(startFirst.containers()).hasSize(2).doesNotContainAnyElementsOf(first.containers());
    assertThat(versions(startFirst)).containsExactly("v2", "v2");
    assertThat(runtime.list(true))
        .extracting(i -> i.config().orElseThrow().name())
        .containsExactlyInAnyOrder("worker-1.1", "worker-2.1");

    ServiceRecord stopFirst =
        services.replace(
            "worker",
            worker("v3"),
            ReplaceOptions.defaults().withOrder(ReplaceRecord.Order.STOP_FIRST));
    stopFirst.containers().forEach(state::track);
    assertThat(versions(stopFirst)).containsExactly("v3", "v3");

    // a restart: replica 2 replaced by a fresh container of the same spec
    ServiceRecord restarted =
        services.replaceReplica("worker", 2, worker("v3"), ReplaceOptions.defaults());
    restarted.containers().forEach(state::track);
    assertThat(restarted.containers().get(0)).isEqualTo(stopFirst.containers().get(0));
    assertThat(restarted.containers().get(1)).isNotEqualTo(stopFirst.containers().get(1));

    // a replace killed after the switch is finished by recovery
    ServiceReplacer.afterStepWritten =
        r -> {
          if (r.replace() != null && r.replace().step() == ReplaceRecord.Step.RETIRE) {
            throw new ServiceRecoveryIT.Killed(ReplaceRecord.Step.RETIRE);
          }
        };
    assertThatThrownBy(() -> services.replace("worker", worker("v4"), ReplaceOptions.defaults()))
        .isInstanceOf(ServiceRecoveryIT.Killed.class);
    ServiceReplacer.afterStepWritten = r -> {};
    runtime.list(true).forEach(i -> state.track(i.id()));
    assertThat(services.inspect("worker").state()).isEqualTo(ServiceState.REPLACING);
    ServiceRecord recovered =
        services.recover("worker", Optional.of(worker("v4")), ReplaceOptions.defaults());
    assertThat(recovered.state()).isEqualTo(ServiceState.RUNNING);
    assertThat(recovered.containers()).hasSize(2);
    assertThat(versions(recovered)).containsExactly("v4", "v3");
    assertThat(runtime.list(true))
        .as("no container but the recorded replicas")
        .extracting(ContainerInfo::id)
        .hasSameElementsAs(recovered.containers());

    awaitHealthy("worker", 2);
    assertThat(nftTable()).as("still no rules").isEmpty();
  }

  @Test
  void aCheckProbedFromTheHostIsRefusedForAServiceWithoutPorts() throws Exception {
    for (HealthCheck check : List.of(HealthCheck.tcp(), HealthCheck.http("/health"))) {
      assertThatThrownBy(() -> services.run("worker", 1, List.of(), check, worker("v1")))
          .isInstanceOfSatisfying(
              HostRuntimeException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
                assertThat(e.getMessage())
                    .startsWith("run service worker: health check")
                    .contains("the service publishes none")
                    .contains("CMD");
              });
    }
    assertThat(services.list()).isEmpty();
    assertThat(runtime.list(true)).isEmpty();
  }

  @Test
  void aServiceWithoutPortsMayBeCheckedOnAPortItsCheckNames() throws Exception {
    ContainerSpec db =
        ContainerSpec.builder()
            .rootfs(rootfs)
            .command(
                List.of("sh", "-c", "mkdir -p /w; echo ok > /w/up; exec httpd -f -p 5000 -h /w"))
            .stopTimeout(Duration.ofSeconds(1))
            .build();
    HealthCheck named =
        HealthCheck.ofTest(List.of("HTTP", "/up", "5000"))
            .withInterval(Duration.ofMillis(200))
            .withTimeout(Duration.ofSeconds(1))
            .withRetries(2);
    ServiceRecord record = services.run("db", 1, List.of(), named, db);
    record.containers().forEach(state::track);
    assertThat(record.health().test()).containsExactly("HTTP", "/up", "5000");
    startMonitor("db");
    awaitHealthy("db", 1);
    ServiceRecord replaced = services.replace("db", db, ReplaceOptions.defaults());
    replaced.containers().forEach(state::track);
    assertThat(replaced.containers()).hasSize(1).doesNotContainAnyElementsOf(record.containers());
    assertThat(nftTable()).isEmpty();
  }

  @Test
  void aCheckNamingTheSecondPortProbesThatPort() throws Exception {
    int[] ports = {TestNetworks.freePort(), TestNetworks.freePort()};
    // /v1-alt-only.html exists only behind port 81: healthy only if 81 is probed
    HealthCheck onAlt =
        HealthCheck.ofTest(List.of("HTTP", "/v1-alt-only.html", "81"))
            .withInterval(Duration.ofMillis(200))
            .withTimeout(Duration.ofSeconds(1))
            .withRetries(2);
    ContainerSpec spec =
        ContainerSpec.builder()
            .rootfs(rootfs)
            .command(
                List.of(
                    "sh",
                    "-c",
                    "mkdir -p /w /x; echo v1 > /w/index.html; echo v1-alt > /x/index.html;"
                        + " echo ok > /x/v1-alt-only.html;"
                        + " httpd -p 81 -h /x; exec httpd -f -p 80 -h /w"))
            .stopTimeout(Duration.ofSeconds(1))
            .build();
    ServiceRecord record =
        services.run(
            "web",
            1,
            List.of(
                PortMapping.of("127.0.0.1", ports[0], 80, "tcp"),
                PortMapping.of("127.0.0.1", ports[1], 81, "tcp")),
            onAlt,
            spec);
    record.containers().forEach(state::track);
    startMonitor("web");
    awaitHealthy("web", 1);
    ServiceRecord replaced = services.replace("web", spec, ReplaceOptions.defaults());
    replaced.containers().forEach(state::track);
    assertThat(replaced.containers()).doesNotContainAnyElementsOf(record.containers());
    assertThat(ServiceReplaceIT.get(ports[1])).isEqualTo("v1-alt");
  }

  // --- several published ports ---

  /** httpd on :80 serving {@code page} and on :81 serving {@code page-alt}. */
  ContainerSpec twoPorts(String page) throws Exception {
    return ContainerSpec.builder()
        .rootfs(rootfs)
        .command(
            List.of(
                "sh",
                "-c",
                "mkdir -p /w /x; echo "
                    + page
                    + " > /w/index.html; echo "
                    + page
                    + "-alt > /x/index.html; httpd -p 81 -h /x; exec httpd -f -p 80 -h /w"))
        .stopTimeout(Duration.ofSeconds(1))
        .build();
  }

  static HealthCheck httpCheck() { // the first port's target: 80
    return HealthCheck.http("/index.html")
        .withInterval(Duration.ofMillis(200))
        .withTimeout(Duration.ofSeconds(1))
        .withRetries(2);
  }

  /** Runs {@code web} with fronts 127.0.0.1:P1->80 and 127.0.0.1:P2->81; the two host ports. */
  int[] startTwoPorts(int replicas) throws Exception {
    int[] ports = {TestNetworks.freePort(), TestNetworks.freePort()};
    ServiceRecord record =
        services.run(
            "web",
            replicas,
            List.of(
                PortMapping.of("127.0.0.1", ports[0], 80, "tcp"),
                PortMapping.of("127.0.0.1", ports[1], 81, "tcp")),
            httpCheck(),
            twoPorts("v1"));
    record.containers().forEach(state::track);
    assertThat(record.fronts())
        .extracting(PortMapping::hostPort)
        .containsExactly(ports[0], ports[1]);
    for (int i = 0; i < 50 && !"v1-alt".equals(ServiceReplaceIT.getQuietly(ports[1])); i++) {
      Thread.sleep(100);
    }
    assertThat(ServiceReplaceIT.get(ports[0])).isEqualTo("v1");
    assertThat(ServiceReplaceIT.get(ports[1])).isEqualTo("v1-alt");
    return ports;
  }

  @Test
  void aServiceWithTwoPortsServesBothBeforeDuringAndAfterAReplace() throws Exception {
    int[] ports = startTwoPorts(2);
    String table = nftTable();
    assertThat(table)
        .contains("tcp dport " + ports[0] + " jump svc_web_")
        .contains("tcp dport " + ports[1] + " jump svc_web_")
        .contains("service web 127.0.0.1:" + ports[0] + "/tcp")
        .contains("service web 127.0.0.1:" + ports[1] + "/tcp");
    startMonitor("web");
    List<String> before = services.inspect("web").containers();

    try (ServiceReplaceIT.Load app = new ServiceReplaceIT.Load(ports[0]);
        ServiceReplaceIT.Load alt = new ServiceReplaceIT.Load(ports[1])) {
      Thread.sleep(300);
      ServiceRecord after = services.replace("web", twoPorts("v2"), ReplaceOptions.defaults());
      after.containers().forEach(state::track);
      Thread.sleep(300);
      assertThat(app.stop()).as("requests made on the first port").isGreaterThan(50);
      assertThat(alt.stop()).as("requests made on the second port").isGreaterThan(50);
      assertThat(app.failures).as("failed requests on the first port").isEmpty();
      assertThat(alt.failures).as("failed requests on the second port").isEmpty();
      assertThat(app.bodies.keySet()).containsOnly("v1", "v2");
      assertThat(alt.bodies.keySet()).containsOnly("v1-alt", "v2-alt");
      assertThat(after.containers()).hasSize(2).doesNotContainAnyElementsOf(before);
      assertThat(after.fronts()).isEqualTo(services.inspect("web").fronts());
    }
    for (int i = 0; i < 10; i++) {
      assertThat(ServiceReplaceIT.get(ports[0])).isEqualTo("v2");
      assertThat(ServiceReplaceIT.get(ports[1])).isEqualTo("v2-alt");
    }
    awaitHealthy("web", 2);
  }

  @Test
  void aHostPortGivenTwiceOrPublishedByAnotherServiceIsRefusedNamingIt() throws Exception {
    int[] ports = startTwoPorts(1);
    int free = TestNetworks.freePort();

    assertThatThrownBy(
            () ->
                services.run(
                    "twice",
                    1,
                    List.of(
                        PortMapping.of("127.0.0.1", free, 80, "tcp"),
                        PortMapping.of("127.0.0.1", free, 81, "tcp")),
                    httpCheck(),
                    twoPorts("x")))
        .isInstanceOfSatisfying(
            HostRuntimeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.getMessage()).contains("host port " + free + "/tcp is given twice");
            });

    assertThatThrownBy(
            () ->
                services.run(
                    "clash",
                    1,
                    List.of(
                        PortMapping.of("127.0.0.1", free, 80, "tcp"),
                        PortMapping.of("0.0.0.0", ports[1], 81, "tcp")),
                    httpCheck(),
                    twoPorts("x")))
        .isInstanceOfSatisfying(
            HostRuntimeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.CONFLICT);
              assertThat(e.getMessage())
                  .contains("host port " + ports[1] + "/tcp is already in use")
                  .contains("published by service web");
            });

    assertThat(services.list()).extracting(i -> i.record().name()).containsExactly("web");
    assertThat(runtime.list(true)).hasSize(1);
    assertThat(ServiceReplaceIT.get(ports[1])).isEqualTo("v1-alt");
  }

  @ParameterizedTest(name = "{0} killed at {1}: {2} serves on both ports")
  @CsvSource({
    "start-first, switch, v1",
    "start-first, retire, v2",
    "stop-first, health, v2",
  })
  void aReplaceOfATwoPortServiceKilledInFlightIsRecoveredOnBothPorts(
      String order, String step, String serves) throws Exception {
    ReplaceRecord.Order o = ReplaceRecord.Order.of(order);
    ReplaceRecord.Step at = ReplaceRecord.Step.of(step);
    int[] ports = startTwoPorts(1);
    ServiceReplacer.afterStepWritten =
        r -> {
          if (r.replace() != null && r.replace().step() == at) {
            throw new ServiceRecoveryIT.Killed(at);
          }
        };
    ReplaceOptions options = ReplaceOptions.defaults().withOrder(o);
    try (ServiceReplaceIT.Load app = new ServiceReplaceIT.Load(ports[0]);
        ServiceReplaceIT.Load alt = new ServiceReplaceIT.Load(ports[1])) {
      Thread.sleep(200);
      assertThatThrownBy(() -> services.replace("web", twoPorts("v2"), options))
          .isInstanceOf(ServiceRecoveryIT.Killed.class);
      ServiceReplacer.afterStepWritten = r -> {};
      runtime.list(true).forEach(i -> state.track(i.id()));
      assertThat(services.inspect("web").state()).isEqualTo(ServiceState.REPLACING);

      ServiceRecord after = services.recover("web", Optional.of(twoPorts("v2")), options);
      runtime.list(true).forEach(i -> state.track(i.id()));
      assertThat(after.state()).isEqualTo(ServiceState.RUNNING);
      assertThat(after.containers()).hasSize(1);
      assertThat(runtime.list(true)).extracting(ContainerInfo::id).isEqualTo(after.containers());
      for (int i = 0; i < 5; i++) {
        assertThat(ServiceReplaceIT.get(ports[0])).isEqualTo(serves);
        assertThat(ServiceReplaceIT.get(ports[1])).isEqualTo(serves + "-alt");
      }
      app.stop();
      alt.stop();
      if (o == ReplaceRecord.Order.START_FIRST) {
        assertThat(app.failures).as("failed requests on the first port").isEmpty();
        assertThat(alt.failures).as("failed requests on the second port").isEmpty();
      }
    }
  }

  // --- helpers ---

  /** Each replica's /v, in replica order. */
  List<String> versions(ServiceRecord record) throws Exception {
    List<String> versions = new java.util.ArrayList<>();
    for (String id : record.containers()) {
      versions.add(runtime.exec(id, List.of("cat", "/v"), Duration.ofSeconds(5)).output().strip());
    }
    return versions;
  }

  void startMonitor(String name) throws Exception {
    monitor =
        new Thread(
            () -> {
              try {
                services.monitor(name, t -> {});
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "test-monitor");
    monitor.setDaemon(true);
    monitor.start();
    services.recordMonitor(name, ProcessId.of((int) ProcessHandle.current().pid()).orElseThrow());
  }

  void awaitHealthy(String name, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (healthy(name) != count && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(healthy(name)).as("healthy replicas of " + name).isEqualTo(count);
  }

  long healthy(String name) throws Exception {
    return services.list().stream()
        .filter(i -> i.record().name().equals(name))
        .mapToLong(ServiceInfo::healthy)
        .sum();
  }

  /** {@code nft list table} of this root's table; empty when there is no such table. */
  String nftTable() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("nft", "list", "table", "ip", lb.tableName())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return p.waitFor() == 0 ? out : "";
  }
}
