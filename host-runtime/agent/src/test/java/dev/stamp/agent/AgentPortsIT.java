package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.stamp.agent.api.AgentException;
import dev.stamp.agent.api.Problem;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.network.lb.ServiceLoadBalancer;
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent with specs of each port shape, every call through its HTTP API: a worker that publishes
 * nothing (two replicas, a check run inside them, no nftables rules) is deployed and replaced; a
 * service that publishes two ports serves both throughout a replace; host checks name the port.
 */
@RequiresRoot
class AgentPortsIT {

  @TempDir Path tmp;
  AgentOnHost agent;

  @BeforeEach
  void start() throws Exception {
    agent = AgentOnHost.start(tmp, "agent-test/ports:1");
  }

  @AfterEach
  void nothingLeft() throws Exception {
    agent.close();
    assertThat(nftTable()).as("the root's nftables table is gone").isEmpty();
  }

  ServiceSpec spec(
      List<String> command, List<ServiceSpec.Port> ports, ServiceSpec.Healthcheck health) {
    return new ServiceSpec(
        agent.image,
        command,
        null,
        null,
        ports,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        health,
        2,
        null,
        null,
        "PT1S",
        null);
  }

  ServiceSpec worker(String version) {
    return spec(
        List.of("sh", "-c", "echo " + version + " > /v; exec sleep 100000"),
        List.of(),
        new ServiceSpec.Healthcheck(
            List.of("CMD-SHELL", "test -s /v"), "PT0.2S", "PT2S", 2, null, null));
  }

  ServiceSpec twoPorts(String page, int app, int alt) {
    return spec(
        List.of(
            "sh",
            "-c",
            "mkdir -p /w /x; echo "
                + page
                + " > /w/index.html; echo "
                + page
                + "-alt > /x/index.html; httpd -p 81 -h /x; exec httpd -f -p 80 -h /w"),
        List.of(
            new ServiceSpec.Port(80, app, "127.0.0.1", "tcp"),
            new ServiceSpec.Port(81, alt, "127.0.0.1", "tcp")),
        AgentReplaceIT.http());
  }

  ServiceStatus awaitRunning(String name, long generation) throws Exception {
    return agent.await(
        name,
        s ->
            s.observedGeneration() == generation
                && "running".equals(s.state())
                && s.replicas().size() == 2,
        "generation " + generation + " running with 2 replicas");
  }

  @Test
  void aWorkerWithoutPortsIsDeployedAndReplacedWithoutRules() throws Exception {
    assertThat(agent.client.putService("worker", worker("v1")).generation()).isEqualTo(1);
    ServiceStatus v1 = awaitRunning("worker", 1);
    assertThat(versions(v1)).containsExactly("v1", "v1");
    assertThat(nftTable()).as("a service without ports has no rules").isEmpty();

    agent.client.putService("worker", worker("v2"));
    ServiceStatus v2 = awaitRunning("worker", 2);
    assertThat(v2.replicas())
        .extracting(ServiceStatus.Replica::container)
        .doesNotContainAnyElementsOf(
            v1.replicas().stream().map(ServiceStatus.Replica::container).toList());
    assertThat(versions(v2)).containsExactly("v2", "v2");
    assertThat(v2.lastError()).isNull();
    assertThat(nftTable()).isEmpty();
  }

  @Test
  void aServiceWithTwoPortsServesBothThroughAReplace() throws Exception {
    int app = TestNetworks.freePort();
    int alt = TestNetworks.freePort();
    agent.client.putService("web", twoPorts("v1", app, alt));
    awaitRunning("web", 1);
    assertThat(get(app)).isEqualTo("v1");
    assertThat(get(alt)).isEqualTo("v1-alt");

    try (Load onApp = new Load(app);
        Load onAlt = new Load(alt)) {
      Thread.sleep(300);
      agent.client.putService("web", twoPorts("v2", app, alt));
      awaitRunning("web", 2);
      Thread.sleep(300);
      assertThat(onApp.stop()).as("requests on the first port").isGreaterThan(20);
      assertThat(onAlt.stop()).as("requests on the second port").isGreaterThan(20);
      assertThat(onApp.failures).as("failed requests on the first port").isEmpty();
      assertThat(onAlt.failures).as("failed requests on the second port").isEmpty();
      assertThat(onApp.bodies.keySet()).containsOnly("v1", "v2");
      assertThat(onAlt.bodies.keySet()).containsOnly("v1-alt", "v2-alt");
    }
    assertThat(get(app)).isEqualTo("v2");
    assertThat(get(alt)).isEqualTo("v2-alt");

    // another service may not take either port; a worker may not have a host-probed check
    AgentException clash =
        catchThrowableOfType(
            () -> agent.client.putService("other", twoPorts("x", TestNetworks.freePort(), alt)),
            AgentException.class);
    assertThat(clash.status()).as(clash.getMessage()).isEqualTo(409);
    assertThat(clash.problems()).extracting(Problem::field).containsExactly("ports[1].published");
    assertThat(clash.getMessage()).contains(alt + "/tcp is published by service web");

    ServiceSpec probed =
        spec(List.of("sleep", "100000"), List.of(), AgentReplaceIT.http()); // HTTP, no port
    AgentException noTarget =
        catchThrowableOfType(() -> agent.client.putService("probed", probed), AgentException.class);
    assertThat(noTarget.status()).as(noTarget.getMessage()).isEqualTo(422);
    assertThat(noTarget.problems()).extracting(Problem::field).containsExactly("healthcheck.test");
    assertThat(agent.client.service("other")).isEmpty();
    assertThat(agent.client.service("probed")).isEmpty();

    // moving a port is refused with a clear error; the running version keeps both ports
    int moved = TestNetworks.freePort();
    assertThat(agent.client.putService("web", twoPorts("v3", app, moved)).generation())
        .isEqualTo(3);
    ServiceStatus refused =
        agent.await(
            "web", s -> s.lastError() != null && s.lastError().generation() == 3, "gen 3 refused");
    assertThat(refused.lastError().message()).contains("ports change from").contains("delete");
    assertThat(refused.lastError().retryable()).isFalse();
    assertThat(refused.observedGeneration()).isEqualTo(2);
    assertThat(get(app)).isEqualTo("v2");
    assertThat(get(alt)).isEqualTo("v2-alt");
  }

  /** Each replica's /v, in replica order. */
  List<String> versions(ServiceStatus status) throws Exception {
    List<String> versions = new java.util.ArrayList<>();
    for (ServiceStatus.Replica r : status.replicas()) {
      versions.add(
          agent
              .runtime
              .exec(r.container(), List.of("cat", "/v"), Duration.ofSeconds(5))
              .output()
              .strip());
    }
    return versions;
  }

  String nftTable() throws IOException, InterruptedException {
    String table = ServiceLoadBalancer.open(new StampRoot(agent.root)).tableName();
    Process p =
        new ProcessBuilder("nft", "list", "table", "ip", table).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return p.waitFor() == 0 ? out : "";
  }

  static String get(int port) throws IOException {
    return HttpFetch.getOnNewConnection("127.0.0.1", port, "/index.html").strip();
  }

  /** Requests on new connections in a loop until stopped: bodies seen, failures. */
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
              "test-load-" + port);
      thread.setDaemon(true);
      thread.start();
    }

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
}
