package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.AgentEvent;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.container.ExecResult;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first deploy ({@code PUT} of a service the host does not run yet) on a real host is
 * health-gated as a replace is: the generation is observed, and the service running, only once
 * every replica is healthy by the service's own monitor, whose judgement each replica's {@code
 * health} reports; one that never gets healthy fails its generation and leaves nothing behind. Each
 * test: its own state root and bridge ({@link AgentOnHost}), leak-checked on close.
 */
@RequiresRoot
class AgentFirstDeployIT {

  @TempDir Path tmp;
  AgentOnHost agent;
  AgentClient client;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void start() throws Exception {
    agent = AgentOnHost.start(tmp, "agent-test/first:1");
    client = agent.client;
  }

  @AfterEach
  void nothingLeft() throws Exception {
    agent.close();
  }

  /** busybox httpd serving {@code page} at /index.html from /w, after {@code before}. */
  ServiceSpec httpd(String before, String page, int port, ServiceSpec.Healthcheck health) {
    return new ServiceSpec(
        agent.image,
        List.of(
            "sh",
            "-c",
            before + "mkdir -p /w; echo " + page + " > /w/index.html; exec httpd -f -p 80 -h /w"),
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
        health,
        1,
        null,
        null,
        "PT1S",
        null);
  }

  static ServiceSpec.Healthcheck httpCheck(String path, String startPeriod) {
    return new ServiceSpec.Healthcheck(
        List.of("HTTP", path), "PT0.2S", "PT1S", 2, startPeriod, null);
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

  List<String> eventTypes(String service) throws Exception {
    return agent.events.after(0, 0).stream()
        .filter(e -> e.service().equals(service))
        .map(AgentEvent::type)
        .toList();
  }

  @Test
  void aFirstDeployWithAPassingHttpCheckIsObservedOnceItsReplicaIsHealthy() throws Exception {
    int port = TestNetworks.freePort();
    client.putService("web", httpd("", "v1", port, httpCheck("/index.html", null)));
    ServiceStatus running =
        agent.await(
            "web",
            s -> s.observedGeneration() == 1 && "running".equals(s.state()),
            "generation 1 running");
    assertThat(running.lastError()).isNull();
    assertThat(running.replicas())
        .singleElement()
        .extracting(ServiceStatus.Replica::health)
        .isEqualTo("healthy");
    assertThat(get(port)).isEqualTo("v1");
    // observed only after the wait for health, not when the container was started
    List<String> types = eventTypes("web");
    assertThat(types).containsSubsequence("creating", "health-wait", "deployed");

    // a NONE check: nothing to wait for, and the replica says so
    int plainPort = TestNetworks.freePort();
    client.putService(
        "plain",
        httpd(
            "",
            "p1",
            plainPort,
            new ServiceSpec.Healthcheck(List.of("NONE"), null, null, null, null, null)));
    ServiceStatus plain =
        agent.await(
            "plain",
            s -> s.observedGeneration() == 1 && "running".equals(s.state()),
            "plain generation 1 running");
    assertThat(plain.replicas())
        .singleElement()
        .extracting(ServiceStatus.Replica::health)
        .isEqualTo("none");
  }

  @Test
  void aFirstDeployThatNeverGetsHealthyFailsItsGenerationAndAFixedSpecThenDeploys()
      throws Exception {
    int port = TestNetworks.freePort();
    // httpd listens on 81, the check asks port 80: refused, then unhealthy after 2 probes
    ServiceSpec broken =
        new ServiceSpec(
            agent.image,
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
            httpCheck("/index.html", null),
            1,
            null,
            null,
            "PT1S",
            null);
    assertThat(client.putService("web", broken).generation()).isEqualTo(1);
    ServiceStatus failed =
        agent.await(
            "web",
            s -> s.lastError() != null && s.lastError().generation() == 1,
            "the failure of generation 1");
    assertThat(failed.state()).isEqualTo("failed");
    assertThat(failed.observedGeneration()).isZero();
    assertThat(failed.lastError().retryable()).isTrue();
    assertThat(failed.lastError().message())
        .contains("replica 1")
        .contains("unhealthy")
        .contains("were removed");
    assertThat(failed.lastError().logTail()).anyMatch(l -> l.contains("about to fail on purpose"));
    assertThat(eventTypes("web")).contains("failed").doesNotContain("deployed");

    ServiceSpec fixed = httpd("", "v2", port, httpCheck("/index.html", null));
    assertThat(client.putService("web", fixed).generation()).isEqualTo(2);
    ServiceStatus running =
        agent.await(
            "web",
            s ->
                s.observedGeneration() == 2
                    && "running".equals(s.state())
                    && s.replicas().size() == 1
                    && "healthy".equals(s.replicas().get(0).health()),
            "generation 2 running and healthy");
    assertThat(running.lastError()).isNull();
    assertThat(get(port)).isEqualTo("v2");
  }

  @Test
  void aReplicaIsStartingUntilItsFirstProbePassesThenHealthyThenUnhealthyWhenItsCheckFails()
      throws Exception {
    int port = TestNetworks.freePort();
    // /ready.html is missing (404) until the test writes it; the start period forgives that
    client.putService("web", httpd("", "v1", port, httpCheck("/ready.html", "PT60S")));
    ServiceStatus starting =
        agent.await(
            "web",
            s ->
                s.replicas().size() == 1
                    && "running".equals(s.replicas().get(0).state())
                    && "starting".equals(s.replicas().get(0).health()),
            "a running replica, starting by its health");
    assertThat(starting.observedGeneration()).isZero();
    assertThat(starting.state()).isEqualTo("progressing");
    assertThat(starting.lastError()).isNull();

    String id = starting.replicas().get(0).container();
    ExecResult ready =
        agent.runtime.exec(
            id, List.of("sh", "-c", "echo ok > /w/ready.html"), Duration.ofSeconds(10));
    assertThat(ready.exitCode()).as(ready.output()).isZero();
    ServiceStatus running =
        agent.await(
            "web",
            s -> s.observedGeneration() == 1 && "running".equals(s.state()),
            "generation 1 running");
    assertThat(running.replicas())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.container()).isEqualTo(id);
              assertThat(r.health()).isEqualTo("healthy");
            });
    assertThat(get(port)).isEqualTo("v1");

    // running but no longer healthy: the status tells the two apart
    ExecResult broken =
        agent.runtime.exec(id, List.of("rm", "/w/ready.html"), Duration.ofSeconds(10));
    assertThat(broken.exitCode()).as(broken.output()).isZero();
    ServiceStatus unhealthy =
        agent.await(
            "web",
            s -> s.replicas().size() == 1 && "unhealthy".equals(s.replicas().get(0).health()),
            "an unhealthy replica");
    assertThat(unhealthy.replicas().get(0).state()).isEqualTo("running");
    assertThat(unhealthy.replicas().get(0).container()).isEqualTo(id);
    assertThat(unhealthy.observedGeneration()).isEqualTo(1);
  }

  @Test
  void aNewerSpecDuringTheWaitForHealthSupersedesTheFirstDeployAtOnce() throws Exception {
    int port = TestNetworks.freePort();
    // never ready, and the start period would keep the wait going for over a minute
    client.putService("web", httpd("", "v1", port, httpCheck("/ready.html", "PT60S")));
    ServiceStatus starting =
        agent.await(
            "web",
            s ->
                s.replicas().size() == 1
                    && "running".equals(s.replicas().get(0).state())
                    && "starting".equals(s.replicas().get(0).health()),
            "a running replica, starting by its health");
    String first = starting.replicas().get(0).container();

    client.putService("web", httpd("", "v2", port, httpCheck("/index.html", null)));
    // within the await's bound, shorter than the first wait's own
    ServiceStatus running =
        agent.await(
            "web",
            s -> s.observedGeneration() == 2 && "running".equals(s.state()),
            "generation 2 running");
    assertThat(running.replicas())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.container()).isNotEqualTo(first);
              assertThat(r.health()).isEqualTo("healthy");
            });
    assertThat(running.lastError()).isNull();
    assertThat(get(port)).isEqualTo("v2");
    assertThat(eventTypes("web")).contains("superseded");
    agent.containersSeen.add(first);
  }
}
