package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.service.Services;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on a real host, in this JVM: busybox httpd services from an image in the store, on a
 * bridge of the test's own, published on 127.0.0.1; every call through the HTTP API with the token.
 */
@RequiresRoot
class AgentReplaceIT {

  @TempDir Path tmp;
  AgentOnHost agent;
  Path root;
  String image;
  HostEngine engine;
  AgentServer server;
  AgentClient client;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final List<String> containersSeen = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    agent = AgentOnHost.start(tmp, "agent-test/web:1");
    root = agent.root;
    image = agent.image;
    engine = agent.engine;
    server = agent.server;
    client = agent.client;
  }

  @AfterEach
  void nothingLeft() throws Exception {
    agent.containersSeen.addAll(containersSeen);
    agent.close();
  }

  ServiceSpec httpd(String page, int port, ServiceSpec.Healthcheck health) {
    return serving(page, "index.html", port, health, 1, null);
  }

  static ServiceSpec.Healthcheck http() {
    return http("/index.html");
  }

  static ServiceSpec.Healthcheck http(String path) {
    return new ServiceSpec.Healthcheck(List.of("HTTP", path), "PT0.2S", "PT1S", 2, null, null);
  }

  ServiceSpec serving(String version, String files, int port, ServiceSpec.Healthcheck health) {
    return serving(version, files, port, health, 1, null);
  }

  /**
   * busybox httpd answering {@code version} at each of {@code files} (and 404 elsewhere), {@code
   * replicas} of it replaced as {@code update} says.
   */
  ServiceSpec serving(
      String version,
      String files,
      int port,
      ServiceSpec.Healthcheck health,
      int replicas,
      ServiceSpec.Update update) {
    return new ServiceSpec(
        image,
        List.of(
            "sh",
            "-c",
            "mkdir -p /w; for f in "
                + files
                + "; do echo "
                + version
                + " > /w/$f; done; exec httpd -f -p 80 -h /w"),
        null,
        Map.of("PAGE", version),
        List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        health,
        replicas,
        update,
        null,
        "PT1S",
        null);
  }

  /** The check the service's record holds, in effect (what its monitor probes). */
  String recordedCheck(String name) throws Exception {
    return Services.open(new StampRoot(root), agent.runtime).inspect(name).health().describe();
  }

  String get(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(3))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " for " + path);
    }
    return r.body().strip();
  }

  ServiceStatus await(String name, Predicate<ServiceStatus> done, String what) throws Exception {
    return agent.await(name, done, what);
  }

  void awaitGone(String name) throws Exception {
    agent.awaitGone(name);
  }

  String get(int port) throws Exception {
    return get(port, "/index.html");
  }

  /**
   * GETs the published port's page in a loop until closed: the answers in {@link #ok}, the
   * failures, and the pages in the order they changed.
   */
  final class RequestLoop implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger ok = new AtomicInteger();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<String> pages = new CopyOnWriteArrayList<>();
    private final Thread thread;

    RequestLoop(int port) {
      thread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    String page = get(port);
                    ok.incrementAndGet();
                    if (pages.isEmpty() || !pages.get(pages.size() - 1).equals(page)) {
                      pages.add(page);
                    }
                  } catch (Exception e) {
                    failures.add(e.toString());
                  }
                }
              },
              "test-requests");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(10_000);
    }
  }

  @Test
  void replacesUnderARequestLoopWithZeroFailuresAndASameSpecPutRestartsNothing() throws Exception {
    int port = TestNetworks.freePort();
    PutResult first = client.putService("web", httpd("v1", port, http()));
    assertThat(first.generation()).isEqualTo(1);
    ServiceStatus running =
        await(
            "web",
            s -> s.observedGeneration() == 1 && "running".equals(s.state()),
            "generation 1 running");
    assertThat(get(port)).isEqualTo("v1");
    String v1Container = running.replicas().get(0).container();

    // the same spec again: nothing restarts
    assertThat(client.putService("web", httpd("v1", port, http())).changed()).isFalse();
    Thread.sleep(500);
    assertThat(client.service("web").orElseThrow().replicas().get(0).container())
        .isEqualTo(v1Container);

    RequestLoop loop = new RequestLoop(port);
    try (loop) {
      Thread.sleep(300);
      assertThat(client.putService("web", httpd("v2", port, http())).generation()).isEqualTo(2);
      ServiceStatus v2 =
          await(
              "web",
              s -> s.observedGeneration() == 2 && "running".equals(s.state()),
              "generation 2 running");
      assertThat(v2.replicas()).hasSize(1);
      assertThat(v2.replicas().get(0).container()).isNotEqualTo(v1Container);
      Thread.sleep(500);
    }
    assertThat(loop.failures).as("failed requests during the replace").isEmpty();
    assertThat(loop.ok.get()).isGreaterThan(10);
    assertThat(loop.pages).containsExactly("v1", "v2");
    // the old container is gone: replaced, never mutated
    ContainerRuntime runtime = ContainerRuntime.open(new StampRoot(root));
    assertThat(runtime.list(true)).extracting(ContainerInfo::id).doesNotContain(v1Container);
  }

  @Test
  void aNewVersionThatNeverGetsHealthyLeavesTheOldOneServingAndReportsItsLogTail()
      throws Exception {
    int port = TestNetworks.freePort();
    client.putService("web", httpd("v1", port, http()));
    await(
        "web",
        s -> s.observedGeneration() == 1 && "running".equals(s.state()),
        "generation 1 running");
    ServiceSpec broken =
        new ServiceSpec(
            image,
            List.of("sh", "-c", "echo about to fail on purpose; exec httpd -f -p 81 -h /"),
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
            http(),
            1,
            null,
            null,
            "PT1S",
            null);
    assertThat(client.putService("web", broken).generation()).isEqualTo(2);
    ServiceStatus failed =
        await(
            "web",
            s -> s.lastError() != null && s.lastError().generation() == 2,
            "the failure of generation 2");
    assertThat(failed.state()).isEqualTo("degraded");
    assertThat(failed.observedGeneration()).isEqualTo(1);
    assertThat(failed.lastError().logTail()).anyMatch(l -> l.contains("about to fail on purpose"));
    assertThat(get(port)).isEqualTo("v1");
    assertThat(failed.replicas()).hasSize(1);
  }

  @Test
  void aReplaceGatesTheNewContainerOnTheNewSpecsHealthCheck() throws Exception {
    int port = TestNetworks.freePort();
    client.putService("web", serving("v1", "ok", port, http("/ok")));
    await("web", s -> s.observedGeneration() == 1 && "running".equals(s.state()), "v1 running");
    assertThat(recordedCheck("web")).contains("/ok");

    // the new version serves only /ready: gated on the old check (/ok) it could never pass
    assertThat(client.putService("web", serving("v2", "ready", port, http("/ready"))).generation())
        .isEqualTo(2);
    ServiceStatus v2 =
        await(
            "web",
            s ->
                (s.observedGeneration() == 2 && "running".equals(s.state()))
                    || (s.lastError() != null && s.lastError().generation() == 2),
            "generation 2 deployed or failed");
    assertThat(v2.lastError()).as("the replace's error").isNull();
    assertThat(get(port, "/ready")).isEqualTo("v2");
    assertThat(recordedCheck("web")).contains("/ready").doesNotContain("/ok");
    // the monitor afterwards probes the new check too (on the old one, /ok, it would be unhealthy)
    await(
        "web",
        s -> s.replicas().stream().allMatch(r -> "healthy".equals(r.health())),
        "the new replica called healthy by the service's monitor");
  }

  @Test
  void aPutChangingOnlyTheHealthCheckReplacesAndACheckThatNeverPassesKeepsTheOldOneServing()
      throws Exception {
    int port = TestNetworks.freePort();
    client.putService("web", serving("v1", "ok ready", port, http("/ok")));
    ServiceStatus v1 =
        await("web", s -> s.observedGeneration() == 1 && "running".equals(s.state()), "running");

    // only the check changes: a new generation, and a replace (a fresh container)
    PutResult second = client.putService("web", serving("v1", "ok ready", port, http("/ready")));
    assertThat(second.changed()).isTrue();
    assertThat(second.generation()).isEqualTo(2);
    ServiceStatus checked =
        await("web", s -> s.observedGeneration() == 2 && "running".equals(s.state()), "gen 2");
    String gen2 = checked.replicas().get(0).container();
    assertThat(gen2).isNotEqualTo(v1.replicas().get(0).container());
    assertThat(recordedCheck("web")).contains("/ready");

    // a check nothing answers: the new container never becomes healthy, the old one keeps serving
    assertThat(
            client.putService("web", serving("v1", "ok ready", port, http("/never"))).generation())
        .isEqualTo(3);
    ServiceStatus failed =
        await(
            "web",
            s -> s.lastError() != null && s.lastError().generation() == 3,
            "the failure of generation 3");
    assertThat(failed.state()).isEqualTo("degraded");
    assertThat(failed.observedGeneration()).isEqualTo(2);
    assertThat(failed.lastError().message()).contains("/never");
    assertThat(failed.replicas())
        .extracting(ServiceStatus.Replica::container)
        .containsExactly(gen2);
    assertThat(get(port, "/ready")).isEqualTo("v1");
    assertThat(recordedCheck("web"))
        .as("the old check stays with the old container")
        .contains("/ready");
  }

  @Test
  void fourReplicasAreReplacedTwoAtATimeUnderARequestLoopWithZeroFailures() throws Exception {
    int port = TestNetworks.freePort();
    ServiceSpec.Update update = new ServiceSpec.Update("start-first", 2, "PT0.3S");
    client.putService("web", serving("v1", "index.html", port, http(), 4, update));
    ServiceStatus v1 =
        await(
            "web",
            s -> s.observedGeneration() == 1 && "running".equals(s.state()),
            "generation 1 running");
    assertThat(v1.replicas()).hasSize(4);
    long before = agent.events.last();

    RequestLoop loop = new RequestLoop(port);
    ServiceStatus v2;
    try (loop) {
      Thread.sleep(300);
      client.putService("web", serving("v2", "index.html", port, http(), 4, update));
      v2 =
          await(
              "web",
              s -> s.observedGeneration() == 2 && "running".equals(s.state()),
              "generation 2 running");
      Thread.sleep(300);
    }
    assertThat(loop.failures).as("failed requests during the replace").isEmpty();
    assertThat(loop.ok.get()).isGreaterThan(10);
    assertThat(loop.pages).startsWith("v1").endsWith("v2");
    assertThat(v2.replicas()).hasSize(4);
    assertThat(v2.replicas())
        .extracting(ServiceStatus.Replica::container)
        .doesNotContainAnyElementsOf(
            v1.replicas().stream().map(ServiceStatus.Replica::container).toList());
    List<String> batches =
        agent.events.after(before, 0).stream()
            .filter(e -> e.service().equals("web") && e.type().equals("batch"))
            .map(dev.stamp.agent.api.AgentEvent::message)
            .toList();
    assertThat(batches)
        .containsExactly("batch 1 of 2: replicas [1, 2]", "batch 2 of 2: replicas [3, 4]");
  }

  @Test
  void deleteRemovesEverything() throws Exception {
    int port = TestNetworks.freePort();
    client.putService("web", httpd("v1", port, null));
    await("web", s -> "running".equals(s.state()), "running");
    client.deleteService("web");
    awaitGone("web");
    ContainerRuntime runtime = ContainerRuntime.open(new StampRoot(root));
    assertThat(runtime.list(true)).isEmpty();
  }
}
