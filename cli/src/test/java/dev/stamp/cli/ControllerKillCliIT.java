package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stamp controller} killed with SIGKILL while a rollout is in flight (the agent replacing
 * the first service's replicas, whose new version is slow to get healthy): a new controller on the
 * same state root marks the interrupted release failed, syncs again and converges — the app ends
 * synced, every service runs exactly its replica count on the agent, nothing duplicated.
 */
@RequiresRoot
class ControllerKillCliIT {

  static final String AGENT_TOKEN = "controller-kill-cli-it-agent-token-0123";

  @TempDir Path tmp;
  StampAgentProcess agent;
  StampControllerProcess ctl;
  int webPort;
  int apiPort;

  @BeforeEach
  void setUp() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        dev.stamp.testkit.BusyboxRootfs.available(), "busybox-static");
    java.nio.file.Files.createDirectories(tmp.resolve("agent"));
    agent = StampAgentProcess.prepare(tmp.resolve("agent"), "base:1", AGENT_TOKEN);
    agent.patience(java.time.Duration.ofSeconds(180)).start();
    ctl = StampControllerProcess.prepare(tmp.resolve("ctl"), agent);
    webPort = TestNetworks.freePort();
    apiPort = TestNetworks.freePort();
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (ctl != null) {
        ctl.close();
      }
    } finally {
      if (agent != null) {
        agent.close();
      }
    }
  }

  /** web (two replicas) starts after {@code delay} seconds; api (one replica) at once. */
  String compose(int delay) {
    return "services:\n"
        + "  web:\n"
        + "    build: ./web\n"
        + "    command: [sh, -c, 'sleep "
        + delay
        + "; exec httpd -f -p 80 -h /srv']\n"
        + "    ports: ['127.0.0.1:"
        + webPort
        + ":80']\n"
        + "    healthcheck: {test: [CMD, wget, -q, -O, /dev/null, 'http://127.0.0.1/index.html'],"
        + " interval: 1s, retries: 60}\n"
        + "    deploy: {replicas: 2, resources: {limits: {memory: 64m, pids: 100}}}\n"
        + "  api:\n"
        + "    build: ./api\n"
        + "    command: [httpd, -f, -p, '8080', -h, /srv]\n"
        + "    ports: ['127.0.0.1:"
        + apiPort
        + ":8080']\n"
        + "    deploy: {resources: {limits: {memory: 64m, pids: 100}}}\n";
  }

  /** Waits (at most 180 s) until {@code stamp status shop} says synced at {@code commit}. */
  void awaitSynced(String commit) throws Exception {
    long deadline = System.currentTimeMillis() + 180_000;
    String status = "";
    while (System.currentTimeMillis() < deadline) {
      status = ctl.stamp("status", "shop").out();
      if (status.contains("state:    synced")
          && status.contains("desired:  " + commit.substring(0, 12))) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "shop never synced at "
            + commit
            + "; last status:\n"
            + status
            + "\ncontroller log:\n"
            + java.nio.file.Files.readString(ctl.log()));
  }

  @Test
  void aControllerKilledMidRolloutIsReplacedByOneThatConverges() throws Exception {
    ctl.write("shop/compose.yaml", compose(0));
    ctl.write("shop/web/Dockerfile", "FROM base:1\nCOPY index.html /srv/index.html\n");
    ctl.write("shop/web/index.html", "v1\n");
    ctl.write("shop/api/Dockerfile", "FROM base:1\nCOPY api.txt /srv/api.txt\n");
    ctl.write("shop/api/api.txt", "api\n");
    String v1 = ctl.commit("shop: first release");
    ctl.start();
    awaitSynced(v1); // the startup sync
    assertThat(agent.page(webPort)).isEqualTo("v1");
    long webGeneration = agent.client.service("shop.web").orElseThrow().generation();

    // v2 of web, slow to get healthy: the controller is killed while the agent replaces it
    ctl.write("shop/compose.yaml", compose(4));
    ctl.write("shop/web/index.html", "v2\n");
    String v2 = ctl.commit("web: v2, slow to start");
    ctl.stamp("sync", "shop", "--rev", v2, "--no-wait").ok();
    agent.waitFor(
        () -> {
          ServiceStatus s = agent.client.service("shop.web").orElseThrow();
          return s.generation() > webGeneration && "progressing".equals(s.state());
        },
        "the agent replacing web");
    String inFlight = ctl.stamp("history", "shop").ok();
    assertThat(inFlight.lines().skip(1).findFirst().orElseThrow())
        .as("the release in flight when the controller is killed")
        .contains("deploying");
    ctl.kill();

    ctl.start();
    awaitSynced(v2);
    assertThat(agent.page(webPort)).isEqualTo("v2");

    // exactly the desired replicas, nothing duplicated or orphaned (the old web replicas are
    // drained away by the agent: wait for them, bounded)
    Map<String, Integer> desired = Map.of("shop.web", 2, "shop.api", 1);
    List<String> expected = new ArrayList<>();
    agent.waitFor(
        () -> {
          expected.clear();
          for (Map.Entry<String, Integer> e : desired.entrySet()) {
            ServiceStatus s = agent.client.service(e.getKey()).orElseThrow();
            if (!"running".equals(s.state()) || s.replicas().size() != e.getValue()) {
              return false;
            }
            s.replicas().forEach(r -> expected.add(r.container()));
          }
          return ContainerRuntime.open(new StampRoot(agent.root)).list(true).size()
              == expected.size();
        },
        "exactly the desired replicas on the agent");
    agent.containers.addAll(expected);
    assertThat(agent.client.services())
        .extracting(ServiceStatus::name)
        .containsExactlyInAnyOrder("shop.web", "shop.api");
    assertThat(ContainerRuntime.open(new StampRoot(agent.root)).list(true))
        .extracting(ContainerInfo::id)
        .containsExactlyInAnyOrderElementsOf(expected);
    String ps =
        new dev.stamp.testkit.StampCliProcess(agent.root).run("ps", "-a", "-q", "--no-trunc").ok();
    assertThat(ps.lines().toList()).as("stamp ps -a").containsExactlyInAnyOrderElementsOf(expected);

    // the history tells what happened: the interrupted release failed (not deploying forever),
    // the startup sync's release succeeded
    String history = ctl.stamp("history", "shop").ok();
    List<String> rows = history.lines().skip(1).toList();
    assertThat(rows).as(history).hasSize(3);
    assertThat(rows.get(0)).contains("succeeded").contains(v2.substring(0, 12)).contains("startup");
    assertThat(rows.get(1))
        .contains("failed")
        .contains(v2.substring(0, 12))
        .contains("interrupted: the controller stopped");
    assertThat(rows.get(2)).contains("succeeded").contains(v1.substring(0, 12));
    assertThat(history).doesNotContain("deploying").doesNotContain("pending");
  }
}
