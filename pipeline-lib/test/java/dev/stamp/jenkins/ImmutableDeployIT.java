package dev.stamp.jenkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.agent.AgentConfig;
import dev.stamp.agent.AgentMetrics;
import dev.stamp.agent.AgentServer;
import dev.stamp.agent.EventLog;
import dev.stamp.agent.HostEngine;
import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.config.ControllerConfig;
import dev.stamp.controller.server.Controller;
import dev.stamp.controller.server.Controllers;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.Release;
import dev.stamp.jenkins.PipelineHarness.PipelineError;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.GitOpsRepo;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.SecretFiles;
import dev.stamp.testkit.TestNetworks;
import groovy.lang.GroovyObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * immutableDeploy end to end against a real controller ({@code Controllers.start}: store, builder,
 * image endpoint, a bare Git repository, the HTTP API) and a real agent in this JVM running busybox
 * containers: the plan of a change, its deploy followed through the event stream, a rollback by
 * release id, and a broken compose file failing the build with the controller's reason. No Jenkins:
 * the harness runs the library's steps and its curl commands.
 */
@RequiresRoot
class ImmutableDeployIT {

  static final String API_TOKEN = "pipeline-it-api-token-0123456789";
  static final String AGENT_TOKEN = "pipeline-it-agent-token-0123456789";

  @TempDir Path tmp;
  HostEngine engine;
  AgentServer agent;
  AgentClient agentClient;
  Path agentRoot;
  Controllers.Started started;
  GitOpsRepo repo;
  int webPort;
  PipelineHarness jenkins;
  GroovyObject step;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void setUp() throws Exception {
    Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    Path tar = BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar"));
    startAgent(tar);
    StampRoot root = new StampRoot(tmp.resolve("controller"));
    new RootfsImporter(ImageStore.open(root), Map.of())
        .importTar(tar, ImageReference.parse("base:1"), List.of());

    repo = GitOpsRepo.create(tmp, "shop");
    webPort = TestNetworks.freePort();
    write("shop/compose.yaml", compose());
    write("shop/web/Dockerfile", "FROM base:1\nCOPY index.html /srv/index.html\n");
    write("shop/web/index.html", "v1\n");
    commit("shop: first release");

    String yaml =
        "api: {listen: 127.0.0.1:0, tokenFile: "
            + secret("api-token", API_TOKEN)
            + "}\n"
            + "repositories:\n"
            + "  - {name: shop, url: "
            + repo.url()
            + ", poll: off}\n"
            + "hosts:\n"
            + "  - {name: a, agent: "
            + agentClient.base()
            + ", tokenFile: "
            + secret("agent-token", AGENT_TOKEN)
            + ", labels: {role: web}}\n"
            + "images: {distribution: embedded, listen: 127.0.0.1:0}\n";
    started =
        Controllers.start(
            ControllerConfig.parse("controller.yaml", yaml, tmp), root, Clock.systemUTC());
    jenkins = new PipelineHarness(tmp.resolve("jenkins")).withCredential("stamp-token", API_TOKEN);
    step = jenkins.load("immutableDeploy");
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (started != null) {
        started.close();
      }
    } finally {
      stopAgent();
    }
  }

  String compose() {
    return compose("");
  }

  /** The app; {@code webExtra} is added under web (indented four spaces). */
  String compose(String webExtra) {
    return "services:\n"
        + "  web:\n"
        + "    build: ./web\n"
        + "    command: [httpd, -f, -p, '80', -h, /srv]\n"
        + "    ports: ['127.0.0.1:"
        + webPort
        + ":80']\n"
        + "    healthcheck: {test: [CMD, wget, -q, -O, /dev/null, 'http://127.0.0.1/index.html'],"
        + " interval: 1s, retries: 20}\n"
        + "    deploy: {resources: {limits: {memory: 64m, pids: 100}}}\n"
        + webExtra;
  }

  Map<String, Object> args(Object... more) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("app", "shop");
    a.put("controller", started.api().toString());
    a.put("credentialsId", "stamp-token");
    a.put("pollSeconds", 1);
    a.put("timeoutMinutes", 4);
    for (int i = 0; i < more.length; i += 2) {
      a.put((String) more[i], more[i + 1]);
    }
    return a;
  }

  @Test
  void plansDeploysRollsBackAndFailsOnABrokenComposeFile() throws Exception {
    Controller c = started.controller();
    GitOpsRepo.await(
        () -> c.store().appStatus("shop").map(s -> s.state() == AppState.SYNCED).orElse(false),
        "shop synced at start-up");
    Release first = c.store().lastGood("shop").orElseThrow();
    assertThat(get()).isEqualTo("v1");

    write("shop/web/index.html", "v2\n");
    commit("web: v2");
    String head = repo.head();

    // the pull request's view: web is rebuilt and replaced on host a
    @SuppressWarnings("unchecked")
    Map<String, Object> plan =
        (Map<String, Object>) PipelineHarness.run(step, "plan", args("revision", head));
    assertThat(plan).containsEntry("commit", head);
    // the controller fetches a revision it does not know yet: no retry needed
    assertThat(jenkins.echoed()).noneMatch(line -> line.contains("has not fetched"));
    assertThat(String.join("\n", jenkins.echoed()))
        .contains("plan for shop at " + head.substring(0, 12))
        .contains("image web: build")
        .contains("web on a: replace");

    // the merge: synced, followed, judged
    @SuppressWarnings("unchecked")
    Map<String, Object> deployed =
        (Map<String, Object>) PipelineHarness.run(step, "call", args("revision", head));
    assertThat(deployed).containsEntry("state", "succeeded").containsEntry("commit", head);
    assertThat(deployed.get("digests"))
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsOnlyKeys("web");
    assertThat((List<?>) deployed.get("hosts")).isNotEmpty();
    assertThat(get()).isEqualTo("v2");
    assertThat(jenkins.echoed())
        .anyMatch(l -> l.startsWith("stamp: release #" + deployed.get("release")))
        .anyMatch(l -> l.startsWith("stamp: web on a:"));

    // back to the first release: a revert commit, v1 again
    @SuppressWarnings("unchecked")
    Map<String, Object> back =
        (Map<String, Object>) PipelineHarness.run(step, "rollback", args("to", first.id()));
    assertThat(back).containsEntry("state", "succeeded");
    assertThat(get()).isEqualTo("v1");
    assertThat(c.store().release((Long) back.get("release")).orElseThrow().digests())
        .isEqualTo(first.digests());

    // a password in the environment: denied by policy, the build names the rule, v1 serves
    repo.pull();
    write("shop/compose.yaml", compose("    environment: {DB_PASSWORD: hunter2}\n"));
    commit("web: a password in its environment");
    String secret = repo.head();
    assertThatThrownBy(() -> PipelineHarness.run(step, "call", args("revision", secret)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("of shop denied")
        .hasMessageContaining("STAMP-SP-008");
    assertThat(get()).isEqualTo("v1");

    // a broken compose file: the build fails with the controller's reason, v1 keeps serving
    write("shop/compose.yaml", compose() + "    ports: [oops\n");
    commit("broken compose");
    String broken = repo.head();
    assertThatThrownBy(() -> PipelineHarness.run(step, "call", args("revision", broken)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("of shop failed")
        .hasMessageContaining("shop/compose.yaml");
    assertThat(get()).isEqualTo("v1");

    assertThat(jenkins.log()).doesNotContain(API_TOKEN);
    assertThat(jenkins.curlCommandLines()).doesNotContain(API_TOKEN);
  }

  void startAgent(Path tar) throws Exception {
    agentRoot = tmp.resolve("agent");
    StampRoot stampRoot = new StampRoot(agentRoot);
    TestNetworks.Net net = TestNetworks.unique();
    NetworkManager.open(stampRoot)
        .saveNetwork(NetworkConfig.of("bridge", net.bridge(), net.subnet()));
    new RootfsImporter(ImageStore.open(stampRoot), Map.of())
        .importTar(tar, ImageReference.parse("base:1"), List.of());
    Path token = secret("agent-token-file", AGENT_TOKEN);
    AgentConfig config =
        new AgentConfig(
            stampRoot,
            "127.0.0.1",
            0,
            token,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of());
    EventLog events = new EventLog(Clock.systemUTC());
    AgentMetrics metrics = new AgentMetrics();
    engine = HostEngine.open(config, events, metrics);
    agent = AgentServer.start(config, engine, events, metrics);
    agentClient = new AgentClient(agent.uri(), AGENT_TOKEN);
  }

  void stopAgent() throws Exception {
    if (agent == null) {
      return;
    }
    try {
      for (ServiceStatus s : agentClient.services()) {
        agentClient.deleteService(s.name());
      }
      long deadline = System.currentTimeMillis() + 60_000;
      while (!agentClient.services().isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
    } finally {
      agent.close();
      engine.close();
      ContainerRuntime runtime = ContainerRuntime.open(new StampRoot(agentRoot));
      for (ContainerInfo i : runtime.list(true)) {
        runtime.remove(i.id(), true);
      }
      NetworkManager.open(new StampRoot(agentRoot)).removeNetwork("bridge");
      Path secrets = agentRoot.resolve("agent/secrets");
      if (Files.exists(secrets)) {
        new ProcessBuilder("umount", secrets.toString()).start().waitFor();
      }
    }
  }

  String get() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/index.html"))
                .timeout(Duration.ofSeconds(3))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body().strip();
  }

  void write(String path, String text) {
    repo.write(path, text);
  }

  /** Commits everything in the clone and pushes it. */
  void commit(String message) {
    repo.commit(message);
    repo.push();
  }

  Path secret(String name, String value) throws Exception {
    return SecretFiles.write(tmp, name, value);
  }
}
