package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
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
    return new ServiceSpec(
        image,
        List.of(
            "sh",
            "-c",
            "mkdir -p /w; echo " + page + " > /w/index.html; exec httpd -f -p 80 -h /w"),
        null,
        Map.of("PAGE", page),
        List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        health,
        1,
        null,
        null,
        "PT1S",
        null);
  }

  static ServiceSpec.Healthcheck http() {
    return new ServiceSpec.Healthcheck(
        List.of("HTTP", "/index.html"), "PT0.2S", "PT1S", 2, null, null);
  }

  ServiceStatus await(String name, Predicate<ServiceStatus> done, String what) throws Exception {
    return agent.await(name, done, what);
  }

  void awaitGone(String name) throws Exception {
    agent.awaitGone(name);
  }

  String get(int port) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                .timeout(Duration.ofSeconds(3))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode());
    }
    return r.body().strip();
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

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    List<String> pages = new CopyOnWriteArrayList<>();
    Thread loop =
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
            });
    loop.start();
    try {
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
    } finally {
      stop.set(true);
      loop.join(10_000);
    }
    assertThat(failures).as("failed requests during the replace").isEmpty();
    assertThat(ok.get()).isGreaterThan(10);
    assertThat(pages).containsExactly("v1", "v2");
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
