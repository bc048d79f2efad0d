package dev.stamp.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.StateTransitionException;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Services#replace} on real containers: busybox httpd replicas behind a port published on
 * 127.0.0.1, on a bridge and /24 of the test's own (never the shared stamp0), in a temporary root.
 */
@RequiresRoot
class ServiceReplaceIT {

  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path tmp;
  Path root;
  Path rootfs;
  NetworkManager net;
  ContainerRuntime runtime;
  Services services;
  Thread monitor;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    StampRoot stampRoot = new StampRoot(root);
    net = NetworkManager.open(stampRoot);
    net.saveNetwork(uniqueNetwork());
    runtime = ContainerRuntime.open(stampRoot);
    services = Services.open(stampRoot, runtime);
    rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    try {
      for (ServiceInfo info : services.list()) {
        services.remove(info.record().name());
      }
      if (monitor != null) {
        monitor.join(10_000);
        assertThat(monitor.isAlive()).as("monitor thread ends with its service").isFalse();
      }
    } finally {
      for (ContainerInfo i : runtime.list(true)) {
        runtime.remove(i.id(), true);
      }
      assertThat(net.containersWithNetworkState()).isEmpty();
      net.removeNetwork("bridge");
      assertThat(Mountinfo.read().anyUnder(root)).isFalse();
    }
  }

  /** httpd on :80 serving {@code page}, stopped quickly (SIGTERM is ignored by PID 1). */
  ContainerSpec httpd(String page) throws Exception {
    return ContainerSpec.builder()
        .rootfs(rootfs)
        .command(
            List.of(
                "sh",
                "-c",
                "echo starting "
                    + page
                    + "; mkdir -p /w; echo "
                    + page
                    + " > /w/index.html; exec httpd -f -p 80 -h /w"))
        .stopTimeout(Duration.ofSeconds(1))
        .build();
  }

  HealthCheck fastHttpCheck() {
    return HealthCheck.http("/index.html")
        .withInterval(Duration.ofMillis(200))
        .withTimeout(Duration.ofSeconds(1))
        .withRetries(2);
  }

  int start(String name, int replicas, String page) throws Exception {
    return start(name, replicas, page, fastHttpCheck());
  }

  int start(String name, int replicas, String page, HealthCheck health) throws Exception {
    int port = TestNetworks.freePort();
    services.run(name, replicas, PortMapping.of("127.0.0.1", port, 80, "tcp"), health, httpd(page));
    for (int i = 0; i < 50 && !page.equals(getQuietly(port)); i++) {
      Thread.sleep(100);
    }
    assertThat(get(port)).isEqualTo(page);
    return port;
  }

  @Test
  void aFailedBatchStopsTheReplaceThereAndKeepsWhatWasReplacedAsSwarmsPauseDoes() throws Exception {
    int port = start("web", 4, "v1");
    List<String> before = services.inspect("web").containers();
    // each new container takes a ticket in a shared directory; the third and later ones exit
    java.nio.file.Path tickets = java.nio.file.Files.createDirectories(tmp.resolve("tickets"));
    ContainerSpec v2 =
        ContainerSpec.builder()
            .rootfs(rootfs)
            .mount(new dev.stamp.runtime.container.MountSpec(tickets.toString(), "/t", false))
            .command(
                List.of(
                    "sh",
                    "-c",
                    "mktemp /t/x.XXXXXX >/dev/null; n=$(ls /t | wc -l); echo ticket $n;"
                        + " [ $n -le 2 ] || exit 3; mkdir -p /w; echo v2 > /w/index.html;"
                        + " exec httpd -f -p 80 -h /w"))
            .stopTimeout(Duration.ofSeconds(1))
            .build();
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    assertThatThrownBy(
            () ->
                services.replace(
                    "web",
                    v2,
                    fastHttpCheck(),
                    ReplaceOptions.defaults().withParallelism(2),
                    (batch, of, replicas) -> batches.add(replicas)))
        .isInstanceOf(ReplaceFailedException.class)
        .hasMessageContaining("replica 3")
        .hasMessageContaining("exited with code 3")
        .hasMessageContaining("the old replica keeps serving");
    assertThat(batches).containsExactly(List.of(1, 2), List.of(3, 4));
    ServiceRecord after = services.inspect("web");
    assertThat(after.state()).isEqualTo(ServiceState.RUNNING);
    assertThat(after.inFlight()).isEmpty();
    assertThat(after.generation()).isEqualTo(1);
    assertThat(after.containers()).hasSize(4);
    assertThat(after.containers().subList(0, 2)).doesNotContainAnyElementsOf(before);
    assertThat(after.containers().subList(2, 4)).isEqualTo(before.subList(2, 4));
    assertThat(runtime.list(true))
        .as("the failed batch's new containers are gone")
        .extracting(ContainerInfo::id)
        .hasSameElementsAs(after.containers());
    java.util.Set<String> pages = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      pages.add(get(port));
    }
    assertThat(pages).as("the replaced and the kept replicas both serve").containsOnly("v1", "v2");
  }

  @Test
  void startFirstReplacesEveryReplicaUnderLoadWithoutAFailedRequest() throws Exception {
    int port = start("web", 2, "v1");
    List<String> before = services.inspect("web").containers();
    monitor =
        new Thread(
            () -> {
              try {
                services.monitor("web", t -> {});
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "test-monitor");
    monitor.setDaemon(true);
    monitor.start();
    services.recordMonitor("web", ProcessId.of((int) ProcessHandle.current().pid()).orElseThrow());

    try (Load load = new Load(port)) {
      Thread.sleep(300);
      ServiceRecord after = services.replace("web", httpd("v2"), ReplaceOptions.defaults());
      Thread.sleep(300);
      assertThat(load.stop()).as("requests made").isGreaterThan(50);
      assertThat(load.failures).as("failed requests").isEmpty();
      assertThat(load.bodies).containsKeys("v1", "v2");
      assertThat(load.bodies.keySet()).containsOnly("v1", "v2");

      assertThat(after.state()).isEqualTo(ServiceState.RUNNING);
      assertThat(after.replace()).isNull();
      assertThat(after.generation()).isEqualTo(1);
      assertThat(after.containers()).hasSize(2).doesNotContainAnyElementsOf(before);
      assertThat(runtime.list(true))
          .extracting(i -> i.config().orElseThrow().name())
          .containsExactlyInAnyOrder("web-1.1", "web-2.1");
      for (String old : before) {
        assertThatThrownBy(() -> runtime.inspect(old)).hasMessageContaining("no such container");
      }
    }
    for (int i = 0; i < 10; i++) {
      assertThat(get(port)).isEqualTo("v2");
    }
    // the monitor restarted on the new replicas
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (services.list().get(0).healthy() != 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(services.list().get(0).healthy()).isEqualTo(2);
    assertThat(monitor.isAlive()).isTrue();
  }

  @Test
  void aNewReplicaThatNeverGetsHealthyIsRemovedAndTheOldOneKeepsServing() throws Exception {
    int port = start("web", 1, "v1");
    ServiceRecord before = services.inspect("web");
    ContainerSpec broken =
        ContainerSpec.builder()
            .rootfs(rootfs)
            .command(
                List.of("sh", "-c", "echo booting; echo no page here >&2; exec httpd -f -p 81"))
            .stopTimeout(Duration.ofSeconds(1))
            .build();
    try (Load load = new Load(port)) {
      assertThatThrownBy(() -> services.replace("web", broken, ReplaceOptions.defaults()))
          .isInstanceOfSatisfying(
              ReplaceFailedException.class,
              e -> {
                assertThat(e.replica()).isEqualTo(1);
                assertThat(e.logTail()).contains("booting", "no page here");
                assertThat(e.getMessage())
                    .startsWith("replace service web: replica 1: new container ")
                    .contains("unhealthy")
                    .contains("the old replica keeps serving");
              });
      assertThat(load.stop()).as("requests made").isGreaterThan(10);
      assertThat(load.failures).as("failed requests").isEmpty();
      assertThat(load.bodies.keySet()).containsOnly("v1");
    }
    ServiceRecord after = services.inspect("web");
    assertThat(after.state()).isEqualTo(ServiceState.RUNNING);
    assertThat(after.replace()).isNull();
    assertThat(after.containers()).isEqualTo(before.containers());
    assertThat(runtime.list(true)).extracting(ContainerInfo::id).isEqualTo(before.containers());
    assertThat(get(port)).isEqualTo("v1");

    // a new replica that cannot even start: removed too, the old one untouched
    ContainerSpec missing =
        ContainerSpec.builder().rootfs(rootfs).command(List.of("no-such-command")).build();
    assertThatThrownBy(() -> services.replace("web", missing, ReplaceOptions.defaults()))
        .isInstanceOf(ReplaceFailedException.class)
        .hasMessageContaining("no-such-command");
    assertThat(runtime.list(true)).extracting(ContainerInfo::id).isEqualTo(before.containers());
    assertThat(services.inspect("web").state()).isEqualTo(ServiceState.RUNNING);

    // the next replace does not reuse the failed generations' names
    ServiceRecord replaced = services.replace("web", httpd("v2"), ReplaceOptions.defaults());
    assertThat(replaced.generation()).isEqualTo(3);
    assertThat(runtime.inspect(replaced.containers().get(0)).config().orElseThrow().name())
        .isEqualTo("web-1.3");
    assertThat(get(port)).isEqualTo("v2");
  }

  @Test
  void stopFirstRetiresTheOldReplicaBeforeStartingTheNewOne() throws Exception {
    HealthCheck cmd = // probed through ContainerRuntime.exec, inside the new replica
        HealthCheck.shell("test -s /w/index.html")
            .withInterval(Duration.ofMillis(200))
            .withTimeout(Duration.ofSeconds(2))
            .withRetries(2);
    int port = start("web", 1, "v1", cmd);
    String old = services.inspect("web").containers().get(0);
    ServiceRecord after =
        services.replace(
            "web",
            httpd("v2"),
            ReplaceOptions.defaults().withOrder(ReplaceRecord.Order.STOP_FIRST));
    assertThat(after.containers()).hasSize(1).doesNotContain(old);
    assertThat(runtime.list(true)).extracting(ContainerInfo::id).isEqualTo(after.containers());
    assertThat(get(port)).isEqualTo("v2");

    assertThatThrownBy(() -> services.replace("nope", httpd("v3"), ReplaceOptions.defaults()))
        .hasMessageContaining("no such service");
  }

  @Test
  void aReplaceKilledInFlightIsRefusedAnotherReplaceAndServiceRmRemovesItsNewContainer()
      throws Exception {
    start("web", 1, "v1");
    String old = services.inspect("web").containers().get(0);
    String orphan = runtime.create(httpd("v2").withName("web-1.1"));
    runtime.start(orphan, false).close();
    // what a replace killed after creating the new container (before recording its id) leaves
    Path file = root.resolve("services/web.json");
    ObjectMapper json = new ObjectMapper();
    ObjectNode record = (ObjectNode) json.readTree(file.toFile());
    record.put("state", "replacing");
    ObjectNode replace = record.putObject("replace");
    replace.put("startedAt", "2026-12-06T11:40:00Z");
    replace.put("order", "start-first");
    replace.put("image", rootfs.toString());
    replace.put("generation", 1);
    replace.put("replica", 1);
    replace.put("oldContainer", old);
    replace.put("newName", "web-1.1");
    replace.putNull("newContainer");
    replace.put("step", "create");
    json.writeValue(file.toFile(), record);

    ServiceRecord read = services.inspect("web");
    assertThat(read.state()).isEqualTo(ServiceState.REPLACING);
    assertThat(read.replace().step()).isEqualTo(ReplaceRecord.Step.CREATE);
    assertThat(read.replace().order()).isEqualTo(ReplaceRecord.Order.START_FIRST);
    assertThatThrownBy(() -> services.replace("web", httpd("v3"), ReplaceOptions.defaults()))
        .isInstanceOfSatisfying(
            StateTransitionException.class,
            e -> {
              assertThat(e.from()).isEqualTo(ServiceState.REPLACING);
              assertThat(e.to()).isEqualTo(ServiceState.REPLACING);
            });

    services.remove("web");
    assertThat(runtime.list(true)).isEmpty();
  }

  /** GETs in a loop on fresh connections, recording bodies and failures. */
  static final class Load implements AutoCloseable {
    final Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Load(int port) {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    bodies.computeIfAbsent(get(port), b -> new AtomicInteger()).incrementAndGet();
                  } catch (IOException e) {
                    failures.add(e.toString());
                  }
                }
              },
              "test-load");
      thread.setDaemon(true);
      thread.start();
    }

    /** Stops the loop; the number of requests made. */
    int stop() {
      running.set(false);
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return bodies.values().stream().mapToInt(AtomicInteger::get).sum() + failures.size();
    }

    @Override
    public void close() {
      stop();
    }
  }

  static String getQuietly(int port) {
    try {
      return get(port);
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code GET /index.html} on its own connection; the body, stripped. */
  static String get(int port) throws IOException {
    return HttpFetch.getOnNewConnection("127.0.0.1", port, "/index.html").strip();
  }

  static NetworkConfig uniqueNetwork() throws Exception {
    TestNetworks.Net n = TestNetworks.unique();
    return NetworkConfig.of("bridge", n.bridge(), n.subnet());
  }
}
