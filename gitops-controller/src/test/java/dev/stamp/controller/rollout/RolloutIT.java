package dev.stamp.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.controller.rollout.HostServiceResult.Outcome;
import dev.stamp.controller.rollout.RolloutResult.State;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ExecResult;
import dev.stamp.testkit.BusyboxRootfs;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts against two real agents in this JVM (own state roots, own bridges, a busybox image the
 * test builds and imports into both): busybox httpd services published on 127.0.0.1, health checked
 * over HTTP by the agents.
 */
@RequiresRoot
class RolloutIT {

  @TempDir Path tmp;
  AgentHost dbHost;
  AgentHost webHost;
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  int dbPort;
  int webPort;

  @BeforeEach
  void start() throws Exception {
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    Path tar = BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar"));
    dbHost = AgentHost.start("a", Map.of("role", "db"), tmp.resolve("a"), tar, "rollout-it/base:1");
    webHost =
        AgentHost.start("b", Map.of("role", "web"), tmp.resolve("b"), tar, "rollout-it/base:1");
    assertThat(webHost.image).isEqualTo(dbHost.image);
    dbPort = TestNetworks.freePort();
    webPort = TestNetworks.freePort();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (webHost != null) {
        webHost.close();
      }
    } finally {
      if (dbHost != null) {
        dbHost.close();
      }
    }
  }

  ServiceSpec httpd(String volume, String page, String listen, int port) {
    return new ServiceSpec(
        dbHost.image,
        List.of(
            "sh",
            "-c",
            "mkdir -p /w; echo "
                + page
                + " > /w/index.html; exec httpd -f -p "
                + listen
                + " -h /w"),
        null,
        Map.of("PAGE", page),
        List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")),
        // the page on a named volume: a write there is not drift
        List.of(new ServiceSpec.Volume("volume", "shop_" + volume, "/w", null)),
        null,
        null,
        null,
        null,
        null,
        null,
        new ServiceSpec.Healthcheck(
            List.of("HTTP", "/index.html"), "PT0.2S", "PT1S", 2, null, null),
        1,
        null,
        null,
        "PT1S",
        null);
  }

  /** db on host a; web on host b, after db is healthy; web rolls back on failure. */
  DesiredApp shop(String release, String webPage, String webListen) {
    return new DesiredApp(
        "shop",
        release,
        List.of(
            DesiredService.of("web", httpd("web", webPage, webListen, webPort))
                .withConstraints(List.of("node.labels.role == web"))
                .withDependsOn(
                    Map.of("db", new ComposeService.Dependency("service_healthy", true, false)))
                .withUpdate(UpdatePolicy.DEFAULT.withFailureAction(UpdatePolicy.ROLLBACK)),
            DesiredService.of("db", httpd("db", "db", "80", dbPort))
                .withConstraints(List.of("node.hostname == a"))));
  }

  Rollout rollout() {
    Rollout.Timing timing =
        Rollout.Timing.defaults()
            .withPoll(Duration.ofMillis(200))
            .withSettle(Duration.ofSeconds(90));
    return new Rollout(List.of(dbHost.host, webHost.host), events::add, timing);
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
  void deploysInDependencyOrderReplacesOnlyTheChangedServiceAndRollsBackAFailingOne()
      throws Exception {
    Rollout rollout = rollout();

    // 1. a first release: db, then web once db is healthy
    DesiredApp v1 = shop("a1", "web-v1", "80");
    RolloutResult first = rollout.apply(v1, Optional.empty());
    assertThat(first.state()).as(first.message()).isEqualTo(State.SUCCEEDED);
    assertThat(first.results())
        .extracting(HostServiceResult::service, HostServiceResult::host, HostServiceResult::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("db", "a", Outcome.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("web", "b", Outcome.SUCCEEDED));
    int dbHealthy = indexOf("db", "a", RolloutEvent.Phase.HEALTHY);
    int webPut = indexOf("web", "b", RolloutEvent.Phase.PUTTING);
    assertThat(dbHealthy).isNotNegative().isLessThan(webPut);
    assertThat(get(dbPort)).isEqualTo("db");
    assertThat(get(webPort)).isEqualTo("web-v1");
    assertThat(dbHost.client.services()).extracting(s -> s.name()).containsExactly("shop.db");
    assertThat(webHost.client.services()).extracting(s -> s.name()).containsExactly("shop.web");
    List<String> db1 = dbHost.containers("shop.db");
    List<String> web1 = webHost.containers("shop.web");

    // the same release again: the agents already have every spec, nothing is sent or restarted
    assertThat(rollout.plan(v1).changes()).as(rollout.plan(v1).lines().toString()).isFalse();
    RolloutResult again = rollout.apply(v1, Optional.empty());
    assertThat(again.results())
        .extracting(HostServiceResult::outcome)
        .containsOnly(Outcome.UNCHANGED);
    assertThat(dbHost.client.service("shop.db").orElseThrow().generation()).isEqualTo(1);
    assertThat(webHost.containers("shop.web")).isEqualTo(web1);

    // 2. a new web: only web is replaced
    DesiredApp v2 = shop("b2", "web-v2", "80");
    RolloutPlan plan = rollout.plan(v2);
    assertThat(plan.steps("db"))
        .extracting(RolloutPlan.Step::action)
        .containsExactly(RolloutPlan.Action.UNCHANGED);
    assertThat(plan.steps("web"))
        .extracting(RolloutPlan.Step::action)
        .containsExactly(RolloutPlan.Action.REPLACE);
    RolloutResult second = rollout.apply(v2, Optional.of(v1));
    assertThat(second.state()).as(second.message()).isEqualTo(State.SUCCEEDED);
    assertThat(RolloutTest.outcomes(second, "db")).containsEntry("a", Outcome.UNCHANGED);
    assertThat(RolloutTest.outcomes(second, "web")).containsEntry("b", Outcome.SUCCEEDED);
    assertThat(dbHost.containers("shop.db")).isEqualTo(db1);
    List<String> web2 = webHost.containers("shop.web");
    assertThat(web2).doesNotContainAnyElementsOf(web1);
    assertThat(get(webPort)).isEqualTo("web-v2");

    // 3. a web that never gets healthy (listens on the wrong port): rolled back to b2
    DesiredApp broken = shop("c3", "web-v3", "81");
    RolloutResult third = rollout.apply(broken, Optional.of(v2));
    assertThat(third.state()).as(third.message()).isEqualTo(State.ROLLED_BACK);
    assertThat(third.message()).contains("rolled back to release b2").contains("web on b");
    assertThat(events)
        .anyMatch(
            e ->
                e.phase() == RolloutEvent.Phase.FAILED
                    && e.message().contains("failed on the agent"));
    assertThat(RolloutTest.outcomes(third, "web")).containsEntry("b", Outcome.ROLLED_BACK);
    assertThat(get(webPort)).isEqualTo("web-v2");
    assertThat(rollout.plan(v2).changes()).as(rollout.plan(v2).lines().toString()).isFalse();
    assertThat(dbHost.containers("shop.db")).isEqualTo(db1);
  }

  @Test
  void aDriftedReplicaIsReplacedAndServicesNoLongerDesiredAreRemovedButNotOtherApps()
      throws Exception {
    Rollout rollout = rollout();
    int blogPort = TestNetworks.freePort();
    webHost.client.putService("blog.web", httpd("blog", "blog", "80", blogPort));
    DesiredApp v1 = shop("a1", "web-v1", "80");
    assertThat(rollout.apply(v1, Optional.empty()).state()).isEqualTo(State.SUCCEEDED);
    String before = webHost.containers("shop.web").get(0);

    // someone edits a file in the running web replica: drift
    ContainerRuntime runtime = ContainerRuntime.open(new StampRoot(webHost.root));
    ExecResult edit =
        runtime.exec(before, List.of("sh", "-c", "touch /etc/x"), Duration.ofSeconds(10));
    assertThat(edit.succeeded()).as(edit.output()).isTrue();
    RolloutPlan drifted = rollout.plan(v1);
    assertThat(drifted.steps("web"))
        .extracting(RolloutPlan.Step::action, RolloutPlan.Step::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                RolloutPlan.Action.REPLACE, "drifted: replica 1 [/etc/x]"));
    assertThat(drifted.steps("db"))
        .extracting(RolloutPlan.Step::action)
        .containsExactly(RolloutPlan.Action.UNCHANGED);

    RolloutResult replaced = rollout.apply(v1, Optional.empty());
    assertThat(replaced.state()).as(replaced.message()).isEqualTo(State.SUCCEEDED);
    ServiceStatus web = webHost.client.service("shop.web").orElseThrow();
    assertThat(web.replicas()).hasSize(1);
    assertThat(web.replicas().get(0).container()).isNotEqualTo(before);
    assertThat(web.replicas().get(0).drifted()).isFalse();
    webHost.containers("shop.web");
    assertThat(get(webPort)).isEqualTo("web-v1");
    assertThat(rollout.plan(v1).changes()).as(rollout.plan(v1).lines().toString()).isFalse();

    // db leaves the app: removed from host a once web is up; blog (another app) untouched
    DesiredApp webOnly =
        new DesiredApp(
            "shop",
            "b2",
            List.of(
                DesiredService.of("web", httpd("web", "web-v2", "80", webPort))
                    .withConstraints(List.of("node.labels.role == web"))));
    RolloutResult removed = rollout.apply(webOnly, Optional.of(v1));
    assertThat(removed.state()).as(removed.message()).isEqualTo(State.SUCCEEDED);
    assertThat(RolloutTest.outcomes(removed, "db")).containsEntry("a", Outcome.REMOVED);
    assertThat(dbHost.client.services()).isEmpty();
    assertThat(webHost.client.services())
        .extracting(ServiceStatus::name)
        .containsExactlyInAnyOrder("blog.web", "shop.web");
    assertThat(get(blogPort)).isEqualTo("blog");
    assertThat(get(webPort)).isEqualTo("web-v2");
  }

  int indexOf(String service, String host, RolloutEvent.Phase phase) {
    for (int i = 0; i < events.size(); i++) {
      RolloutEvent e = events.get(i);
      if (e.service().equals(service) && e.host().equals(host) && e.phase() == phase) {
        return i;
      }
    }
    return -1;
  }
}
