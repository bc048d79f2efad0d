package dev.stamp.runtime.network.lb;

import static dev.stamp.runtime.network.lb.ServiceLoadBalancerIT.spread;
import static dev.stamp.testkit.TestNetworks.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health probes against real replicas, driving the real nftables backend set. */
@RequiresRoot
class HealthMonitorIT {

  @TempDir Path tmp;

  private Replicas replicas;
  private ServiceLoadBalancer lb;
  private HealthMonitor monitor;
  private final LinkedBlockingQueue<HealthTransition> transitions = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    Path root = tmp.resolve("root");
    replicas = Replicas.start(root, tmp, 3);
    lb = ServiceLoadBalancer.open(new StampRoot(root), replicas.net());
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (monitor != null) {
        monitor.close();
      }
      for (String service : lb.servicesWithState()) {
        lb.unpublish(service);
      }
    } finally {
      replicas.close();
    }
  }

  private static HealthCheck fastCheck(HealthCheck test) {
    return test.withInterval(Duration.ofMillis(150))
        .withTimeout(Duration.ofMillis(500))
        .withRetries(2);
  }

  @Test
  void anUnhealthyReplicaIsTakenOutAndComesBackWhenItRecovers() throws Exception {
    int port = freePort();
    List<Backend> all = List.of(replicas.backend(0), replicas.backend(1), replicas.backend(2));
    lb.publish("web", PortMapping.tcp(port, 8080), all);
    monitor =
        HealthMonitor.start(
            lb, "web", fastCheck(HealthCheck.http("/index.html")), transitions::add);
    for (int i = 0; i < 3; i++) {
      awaitTransition(HealthStatus.HEALTHY);
    }
    assertThat(monitor.states().values()).allMatch(s -> s.status() == HealthStatus.HEALTHY);
    assertThat(lb.backends("web")).isEqualTo(all);

    replicas.stopHttpd(1);
    HealthTransition down = awaitTransition(HealthStatus.UNHEALTHY);
    assertThat(down.backend()).isEqualTo(replicas.backend(1));
    assertThat(down.from()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(down.cause().healthy()).isFalse();
    assertThat(lb.backends("web")).containsExactly(replicas.backend(0), replicas.backend(2));
    Map<String, Integer> afterDown = spread(port, 30);
    assertThat(afterDown).containsOnlyKeys(Replicas.name(0), Replicas.name(2));
    assertThat(afterDown.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);

    replicas.startHttpd(1);
    HealthTransition up = awaitTransition(HealthStatus.HEALTHY);
    assertThat(up.backend()).isEqualTo(replicas.backend(1));
    assertThat(up.from()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(lb.backends("web")).isEqualTo(all);
    assertThat(spread(port, 30))
        .isEqualTo(Map.of(Replicas.name(0), 10, Replicas.name(1), 10, Replicas.name(2), 10));
  }

  @Test
  void aNewMemberJoinsOnlyOnceHealthyAndADepartedOneLeavesAtOnce() throws Exception {
    int port = freePort();
    lb.publish("web", PortMapping.tcp(port, 8080), List.of(replicas.backend(0)));
    replicas.stopHttpd(2);
    monitor = HealthMonitor.start(lb, "web", fastCheck(HealthCheck.tcp()), transitions::add);

    monitor.setMembers(List.of(replicas.backend(0), replicas.backend(2)));
    assertThat(lb.backends("web")).as("starting: not yet in").containsExactly(replicas.backend(0));
    assertThat(awaitTransition(HealthStatus.HEALTHY).backend()).isEqualTo(replicas.backend(0));
    HealthTransition failed = awaitTransition(HealthStatus.UNHEALTHY);
    assertThat(failed.backend()).isEqualTo(replicas.backend(2));
    assertThat(failed.from()).isEqualTo(HealthStatus.STARTING);
    assertThat(lb.backends("web")).containsExactly(replicas.backend(0));

    replicas.startHttpd(2);
    assertThat(awaitTransition(HealthStatus.HEALTHY).backend()).isEqualTo(replicas.backend(2));
    assertThat(lb.backends("web")).containsExactly(replicas.backend(0), replicas.backend(2));

    monitor.setMembers(List.of(replicas.backend(2)));
    assertThat(lb.backends("web")).containsExactly(replicas.backend(2));
    assertThat(monitor.status(replicas.backend(0))).isEmpty();
    assertThat(spread(port, 6)).isEqualTo(Map.of(Replicas.name(2), 6));
  }

  @Test
  void aNoneCheckProbesNothingAndKeepsEveryMemberInRotation() throws Exception {
    int port = freePort();
    lb.publish("web", PortMapping.tcp(port, 8080), List.of(replicas.backend(0)));
    replicas.stopHttpd(1);
    monitor = HealthMonitor.start(lb, "web", HealthCheck.none(), transitions::add);
    monitor.setMembers(List.of(replicas.backend(0), replicas.backend(1)));
    assertThat(lb.backends("web")).containsExactly(replicas.backend(0), replicas.backend(1));
    assertThat(monitor.states().values())
        .allSatisfy(s -> assertThat(s.status()).isEqualTo(HealthStatus.HEALTHY));
    assertThat(transitions.poll(1, TimeUnit.SECONDS)).as("no probe, no transition").isNull();
    assertThat(lb.backends("web")).hasSize(2);
  }

  @Test
  void duringTheStartPeriodProbesComeEveryStartInterval() throws Exception {
    int port = freePort();
    lb.publish("web", PortMapping.tcp(port, 8080), List.of(replicas.backend(0)));
    HealthCheck slowButEagerAtStart =
        HealthCheck.tcp()
            .withInterval(Duration.ofMinutes(10))
            .withStartPeriod(Duration.ofMinutes(10))
            .withStartInterval(Duration.ofMillis(100))
            .withTimeout(Duration.ofMillis(500));
    monitor = HealthMonitor.start(lb, "web", slowButEagerAtStart, transitions::add);
    monitor.setMembers(List.of(replicas.backend(0), replicas.backend(1)));
    assertThat(awaitTransition(HealthStatus.HEALTHY).backend())
        .isIn(replicas.backend(0), replicas.backend(1));
    assertThat(awaitTransition(HealthStatus.HEALTHY).backend())
        .isIn(replicas.backend(0), replicas.backend(1));
    assertThat(lb.backends("web")).hasSize(2);
  }

  private HealthTransition awaitTransition(HealthStatus to) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      HealthTransition t = transitions.poll(1, TimeUnit.SECONDS);
      if (t != null && t.to() == to) {
        return t;
      }
      if (t != null) {
        throw new AssertionError("expected a transition to " + to + ", got " + t);
      }
    }
    throw new AssertionError("no transition to " + to + " in 30 s");
  }
}
