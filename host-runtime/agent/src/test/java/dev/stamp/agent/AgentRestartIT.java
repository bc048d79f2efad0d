package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.AgentEvent;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart policies on a real host: a replica killed with SIGKILL is replaced by a fresh container
 * of the service's spec (never restarted in place) after a backoff the events show; {@code
 * on-failure:2} gives up after two replacements and the service's status says so; a change of the
 * replica count adds or removes replicas without replacing the others.
 */
@RequiresRoot
class AgentRestartIT {

  @TempDir Path tmp;
  AgentOnHost agent;
  Path root;
  String image;
  HostEngine engine;
  AgentServer server;
  AgentClient client;
  EventLog events;
  ContainerRuntime runtime;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final List<String> containersSeen = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    agent = AgentOnHost.start(tmp, "agent-restart/web:1");
    root = agent.root;
    image = agent.image;
    engine = agent.engine;
    server = agent.server;
    client = agent.client;
    events = agent.events;
    runtime = agent.runtime;
  }

  @AfterEach
  void nothingLeft() throws Exception {
    agent.containersSeen.addAll(containersSeen);
    agent.close();
  }

  ServiceSpec httpd(int port, String restart) {
    return httpd(port, restart, 1);
  }

  ServiceSpec httpd(int port, String restart, int replicas) {
    return new ServiceSpec(
        image,
        List.of("sh", "-c", "mkdir -p /w; echo up > /w/index.html; exec httpd -f -p 80 -h /w"),
        null,
        null,
        List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        new ServiceSpec.Healthcheck(
            List.of("HTTP", "/index.html"), "PT0.2S", "PT1S", 2, null, null),
        replicas,
        null,
        null,
        "PT1S",
        restart);
  }

  ServiceStatus await(String name, Predicate<ServiceStatus> done, String what) throws Exception {
    return agent.await(name, done, what);
  }

  /** The one replica, running, healthy enough to serve: a different container than {@code not}. */
  String awaitServing(String name, int port, String not) throws Exception {
    ServiceStatus s =
        await(
            name,
            x ->
                "running".equals(x.state())
                    && x.replicas().size() == 1
                    && !x.replicas().get(0).container().equals(not)
                    && "running".equals(x.replicas().get(0).state()),
            "a running replica other than " + not);
    long deadline = System.currentTimeMillis() + 30_000;
    while (!"up".equals(getQuietly(port))) {
      assertThat(System.currentTimeMillis()).as("port " + port + " serves").isLessThan(deadline);
      Thread.sleep(100);
    }
    return s.replicas().get(0).container();
  }

  String getQuietly(int port) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body().strip() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  List<AgentEvent> eventsOf(String name, String type) throws Exception {
    return events.after(0, 0).stream()
        .filter(e -> e.service().equals(name) && e.type().equals(type))
        .toList();
  }

  @Test
  void aReplicaKilledWithSigkillIsReplacedByAFreshContainerAndThePortServesAgain()
      throws Exception {
    int port = dev.stamp.testkit.TestNetworks.freePort();
    client.putService("web", httpd(port, null));
    String first = awaitServing("web", port, "");

    runtime.kill(first, LibC.SIGKILL);
    String second = awaitServing("web", port, first);
    assertThat(second).isNotEqualTo(first);
    assertThat(runtime.list(true))
        .as("the killed one was removed, not restarted in place")
        .extracting(ContainerInfo::id)
        .containsExactly(second);
    assertThat(runtime.inspect(second).config().orElseThrow().name()).isEqualTo("web-1.1");
    assertThat(eventsOf("web", "backoff"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .contains("replica 1 (" + first.substring(0, 12) + ")")
                    .contains("code 137")
                    .contains("replacing it in 100 ms (attempt 1, restart policy always)"));
    assertThat(eventsOf("web", "replaced")).hasSize(1);
    ServiceStatus s = client.service("web").orElseThrow();
    assertThat(s.observedGeneration()).isEqualTo(1);
    assertThat(s.lastError()).isNull();
  }

  @Test
  void onFailureTwoReplacesTwiceWithGrowingBackoffThenGivesUpAndTheStatusSaysSo() throws Exception {
    int port = dev.stamp.testkit.TestNetworks.freePort();
    client.putService("web", httpd(port, "on-failure:2"));
    String replica = awaitServing("web", port, "");
    for (int attempt = 1; attempt <= 2; attempt++) {
      runtime.kill(replica, LibC.SIGKILL);
      replica = awaitServing("web", port, replica);
    }
    runtime.kill(replica, LibC.SIGKILL);
    ServiceStatus gaveUp =
        await("web", x -> "degraded".equals(x.state()), "the restart policy giving up");
    assertThat(gaveUp.lastError().message())
        .contains("replica 1")
        .contains("restart policy on-failure:2 gave up after 2 replacement(s)");
    assertThat(gaveUp.lastError().retryable()).isFalse();
    assertThat(gaveUp.replicas()).singleElement().extracting(r -> r.state()).isEqualTo("exited");
    assertThat(eventsOf("web", "backoff"))
        .extracting(AgentEvent::message)
        .satisfiesExactly(
            m -> assertThat(m).contains("in 100 ms (attempt 1"),
            m -> assertThat(m).contains("in 200 ms (attempt 2"));
    assertThat(eventsOf("web", "gave-up")).hasSize(1);

    // a new spec starts over: fresh replicas, the count reset
    client.putService("web", httpd(port, "on-failure:3"));
    await(
        "web",
        x -> "running".equals(x.state()) && x.observedGeneration() == 2,
        "generation 2 running");
    assertThat(getQuietly(port)).isEqualTo("up");
  }

  @Test
  void aReplicaCountChangeAddsAndRemovesReplicasWithoutReplacingTheOthers() throws Exception {
    int port = dev.stamp.testkit.TestNetworks.freePort();
    client.putService("web", httpd(port, null, 1));
    String first = awaitServing("web", port, "");

    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean loading =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread load =
        new Thread(
            () -> {
              while (loading.get()) {
                if (!"up".equals(getQuietly(port))) {
                  failures.add("no answer");
                }
              }
            },
            "test-load");
    load.setDaemon(true);
    load.start();
    try {
      client.putService("web", httpd(port, "on-failure", 3));
      ServiceStatus three =
          await(
              "web",
              x -> "running".equals(x.state()) && x.observedGeneration() == 2,
              "three replicas");
      assertThat(three.replicas())
          .extracting(ServiceStatus.Replica::container)
          .hasSize(3)
          .startsWith(first);
      assertThat(runtime.list(true)).hasSize(3);

      client.putService("web", httpd(port, "on-failure", 1));
      ServiceStatus one =
          await(
              "web",
              x -> "running".equals(x.state()) && x.observedGeneration() == 3,
              "one replica");
      assertThat(one.replicas())
          .extracting(ServiceStatus.Replica::container)
          .containsExactly(first);
      assertThat(runtime.list(true)).extracting(ContainerInfo::id).containsExactly(first);
    } finally {
      loading.set(false);
      load.join(10_000);
    }
    assertThat(failures).as("failed requests while scaling").isEmpty();
    assertThat(eventsOf("web", "replacing")).isEmpty();
    assertThat(eventsOf("web", "scaling")).isNotEmpty();
  }
}
