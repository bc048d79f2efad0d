package dev.stamp.runtime.service;

import static dev.stamp.runtime.service.ServiceReplaceIT.get;
import static dev.stamp.runtime.service.ServiceReplaceIT.getQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Services#recover}: a replace stopped right after each step was written (as a kill -9 of
 * the replacing process would leave it: its containers run on under their shims, the record names
 * the step) is finished or rolled back; afterwards exactly one version serves, the published port
 * answered throughout (start-first), and nothing of the state root is left once it is removed.
 */
@RequiresRoot
class ServiceRecoveryIT {

  /** Stands for the kill: an Error, which no step of the replacer catches. */
  static final class Killed extends Error {
    private static final long serialVersionUID = 1L;

    Killed(ReplaceRecord.Step step) {
      super("killed at step " + step.label());
    }
  }

  @TempDir Path tmp;
  Path root;
  Path rootfs;
  NetworkManager net;
  ContainerRuntime runtime;
  Services services;
  final List<String> made = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    StampRoot stampRoot = new StampRoot(root);
    net = NetworkManager.open(stampRoot);
    TestNetworks.Net n = TestNetworks.unique();
    net.saveNetwork(NetworkConfig.of("bridge", n.bridge(), n.subnet()));
    runtime = ContainerRuntime.open(stampRoot);
    services = Services.open(stampRoot, runtime);
    rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    ServiceReplacer.afterStepWritten = r -> {};
    try {
      for (ServiceInfo info : services.list()) {
        services.remove(info.record().name());
      }
    } finally {
      for (ContainerInfo i : runtime.list(true)) {
        made.add(i.id());
        runtime.remove(i.id(), true);
      }
      assertThat(net.containersWithNetworkState()).isEmpty();
      net.removeNetwork("bridge");
      StateRootLeaks.assertNone(root, made);
    }
  }

  ContainerSpec httpd(String page) throws Exception {
    return ContainerSpec.builder()
        .rootfs(rootfs)
        .command(
            List.of(
                "sh",
                "-c",
                "mkdir -p /w; echo " + page + " > /w/index.html; exec httpd -f -p 80 -h /w"))
        .stopTimeout(Duration.ofSeconds(1))
        .build();
  }

  @ParameterizedTest(name = "{0} killed at {1}, {3} replica(s) in one batch: {2} serves")
  @CsvSource({
    "start-first, create, v1, 1",
    "start-first, health, v1, 1",
    "start-first, switch, v1, 1",
    "start-first, retire, v2, 1",
    "stop-first, retire, v2, 1",
    "stop-first, create, v2, 1",
    "stop-first, health, v2, 1",
    "stop-first, switch, v2, 1",
    "start-first, create, v1, 2",
    "start-first, health, v1, 2",
    "start-first, switch, v1, 2",
    "start-first, retire, v2, 2",
    "stop-first, retire, v2, 2",
    "stop-first, create, v2, 2",
    "stop-first, health, v2, 2",
    "stop-first, switch, v2, 2",
  })
  void aReplaceKilledAtEachStepIsFinishedOrRolledBack(
      String order, String step, String serves, int parallelism) throws Exception {
    ReplaceRecord.Order o = ReplaceRecord.Order.of(order);
    ReplaceRecord.Step at = ReplaceRecord.Step.of(step);
    HealthCheck check =
        HealthCheck.http("/index.html")
            .withInterval(Duration.ofMillis(200))
            .withTimeout(Duration.ofSeconds(1))
            .withRetries(2);
    int port = dev.stamp.testkit.TestNetworks.freePort();
    // as many replicas as the batch holds: every replica of the service is in flight
    services.run(
        "web", parallelism, PortMapping.of("127.0.0.1", port, 80, "tcp"), check, httpd("v1"));
    // every replica listening (run publishes them at once; round robin reaches each in turn)
    for (int i = 0, inARow = 0; i < 100 && inARow < 4 * parallelism; i++) {
      inARow = "v1".equals(getQuietly(port)) ? inARow + 1 : 0;
      if (inARow == 0) {
        Thread.sleep(100);
      }
    }
    made.addAll(services.inspect("web").containers());
    // killed once every replica of the batch has reached the step
    ServiceReplacer.afterStepWritten =
        r -> {
          List<ReplaceRecord> steps = r.inFlight();
          if (steps.size() == parallelism && steps.get(parallelism - 1).step() == at) {
            throw new Killed(at);
          }
        };
    ReplaceOptions options = ReplaceOptions.defaults().withOrder(o).withParallelism(parallelism);
    try (ServiceReplaceIT.Load load = new ServiceReplaceIT.Load(port)) {
      Thread.sleep(200);
      assertThatThrownBy(() -> services.replace("web", httpd("v2"), options))
          .isInstanceOf(Killed.class);
      ServiceReplacer.afterStepWritten = r -> {};
      ServiceRecord left = services.inspect("web");
      assertThat(left.state()).isEqualTo(ServiceState.REPLACING);
      assertThat(left.inFlight())
          .extracting(ReplaceRecord::replica)
          .containsExactlyElementsOf(
              java.util.stream.IntStream.rangeClosed(1, parallelism).boxed().toList());
      assertThat(left.inFlight()).extracting(ReplaceRecord::step).containsOnly(at);
      runtime.list(true).forEach(i -> made.add(i.id()));

      ServiceRecord after = services.recover("web", Optional.of(httpd("v2")), options);
      runtime.list(true).forEach(i -> made.add(i.id()));

      assertThat(after.state()).isEqualTo(ServiceState.RUNNING);
      assertThat(after.inFlight()).isEmpty();
      assertThat(after.containers()).hasSize(parallelism);
      assertThat(services.inspect("web")).isEqualTo(after);
      assertThat(runtime.list(true))
          .as("no container but the recorded replicas")
          .extracting(ContainerInfo::id)
          .hasSameElementsAs(after.containers());
      for (int i = 0; i < 10; i++) {
        assertThat(get(port)).as("exactly one version serves").isEqualTo(serves);
      }
      load.stop();
      if (o == ReplaceRecord.Order.START_FIRST) {
        assertThat(load.failures).as("failed requests, start-first").isEmpty();
      }
    }
    // recovered, the service replaces as usual, without reusing the killed replace's names
    ServiceRecord next = services.replace("web", httpd("v3"), options);
    made.addAll(next.containers());
    assertThat(get(port)).isEqualTo("v3");
    assertThat(services.recover("web", Optional.empty(), ReplaceOptions.defaults()))
        .as("a running service is left as it is")
        .isEqualTo(next);
  }

  @org.junit.jupiter.api.Test
  void scalingAddsHealthyReplicasAndRemovesTheLastOnesAndAKilledScaleIsRecovered()
      throws Exception {
    HealthCheck check =
        HealthCheck.http("/index.html")
            .withInterval(Duration.ofMillis(200))
            .withTimeout(Duration.ofSeconds(1))
            .withRetries(2);
    int port = dev.stamp.testkit.TestNetworks.freePort();
    services.run("web", 1, PortMapping.of("127.0.0.1", port, 80, "tcp"), check, httpd("v1"));
    for (int i = 0; i < 50 && !"v1".equals(getQuietly(port)); i++) {
      Thread.sleep(100);
    }
    String first = services.inspect("web").containers().get(0);
    made.add(first);
    try (ServiceReplaceIT.Load load = new ServiceReplaceIT.Load(port)) {
      ServiceRecord up = services.scale("web", 3, httpd("v1"), ReplaceOptions.defaults());
      made.addAll(up.containers());
      assertThat(up.containers()).hasSize(3).startsWith(first);
      assertThat(up.replicas()).isEqualTo(3);
      assertThat(up.state()).isEqualTo(ServiceState.RUNNING);
      assertThat(runtime.list(true))
          .extracting(ContainerInfo::id)
          .hasSameElementsAs(up.containers());

      ServiceRecord down = services.scale("web", 2, httpd("v1"), ReplaceOptions.defaults());
      assertThat(down.containers()).isEqualTo(up.containers().subList(0, 2));
      assertThat(runtime.list(true))
          .extracting(ContainerInfo::id)
          .hasSameElementsAs(down.containers());

      // a scale up killed while its new replica waits for health: rolled back
      ServiceReplacer.afterStepWritten =
          r -> {
            if (r.replace() != null && r.replace().step() == ReplaceRecord.Step.HEALTH) {
              throw new Killed(ReplaceRecord.Step.HEALTH);
            }
          };
      assertThatThrownBy(() -> services.scale("web", 3, httpd("v1"), ReplaceOptions.defaults()))
          .isInstanceOf(Killed.class);
      runtime.list(true).forEach(i -> made.add(i.id()));
      ServiceReplacer.afterStepWritten = r -> {};
      ServiceRecord back = services.recover("web", Optional.empty(), ReplaceOptions.defaults());
      assertThat(back.containers()).isEqualTo(down.containers());
      assertThat(runtime.list(true))
          .extracting(ContainerInfo::id)
          .hasSameElementsAs(down.containers());

      // a scale down killed before its replica retired: finished
      ServiceReplacer.afterStepWritten =
          r -> {
            if (r.replace() != null && r.replace().step() == ReplaceRecord.Step.RETIRE) {
              throw new Killed(ReplaceRecord.Step.RETIRE);
            }
          };
      assertThatThrownBy(() -> services.scale("web", 1, httpd("v1"), ReplaceOptions.defaults()))
          .isInstanceOf(Killed.class);
      ServiceReplacer.afterStepWritten = r -> {};
      ServiceRecord one = services.recover("web", Optional.empty(), ReplaceOptions.defaults());
      assertThat(one.containers()).containsExactly(first);
      assertThat(runtime.list(true)).extracting(ContainerInfo::id).containsExactly(first);
      for (int i = 0; i < 10; i++) {
        assertThat(get(port)).isEqualTo("v1");
      }
      load.stop();
      assertThat(load.failures).as("failed requests while scaling").isEmpty();
    }
  }
}
