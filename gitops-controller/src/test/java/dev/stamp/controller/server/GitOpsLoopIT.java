package dev.stamp.controller.server;

import static dev.stamp.testkit.GitOpsRepo.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.controller.config.ControllerConfig;
import dev.stamp.controller.rollout.AgentHost;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.AppStatus;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.ReleaseState;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.GitOpsRepo;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.SecretFiles;
import dev.stamp.testkit.TestNetworks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitOps loop end to end, with real Git (a bare repository the test pushes to with the git
 * CLI), the real builder and a real agent on a state root of its own that pulls from the
 * controller's image endpoint: a merge deploys; a commit changing one service rebuilds and replaces
 * only that one; a revert brings back the earlier digest without a build; a malformed compose file
 * is reported with its line and the running release keeps serving.
 */
@RequiresRoot
class GitOpsLoopIT {

  static final String API_TOKEN = "controller-api-token-0123456789";
  static final String HOOK_SECRET = "webhook-secret-for-the-test";

  @TempDir Path tmp;
  AgentHost host;
  Controllers.Started started;
  GitOpsRepo repo;
  int webPort;
  int apiPort;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void setUp() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    Path tar = BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar"));
    host = AgentHost.start("a", Map.of("role", "web"), tmp.resolve("a"), tar, "base:1");
    StampRoot root = new StampRoot(tmp.resolve("controller"));
    new RootfsImporter(ImageStore.open(root), Map.of())
        .importTar(tar, ImageReference.parse("base:1"), List.of());

    repo = GitOpsRepo.create(tmp, "shop");
    webPort = TestNetworks.freePort();
    apiPort = TestNetworks.freePort();
    write("shop/compose.yaml", compose("web"));
    write("shop/web/Dockerfile", "FROM base:1\nCOPY index.html /srv/index.html\n");
    write("shop/web/index.html", "v1\n");
    write("shop/api/Dockerfile", "FROM base:1\nCOPY api.txt /srv/api.txt\n");
    write("shop/api/api.txt", "api\n");
    commit("shop: first release");

    Path token = secret("api-token", API_TOKEN);
    Path hook = secret("hook-secret", HOOK_SECRET);
    Path agentToken = secret("agent-token", AgentHost.TOKEN);
    String yaml =
        "api: {listen: 127.0.0.1:0, tokenFile: "
            + token
            + "}\n"
            + "repositories:\n"
            + "  - {name: shop, url: "
            + repo.url()
            + ", poll: off, webhook: {provider: github, secretFile: "
            + hook
            + "}}\n"
            + "hosts:\n"
            + "  - {name: a, agent: "
            + host.client.base()
            + ", tokenFile: "
            + agentToken
            + ", labels: {role: web}}\n"
            + "images: {distribution: embedded, listen: 127.0.0.1:0}\n";
    ControllerConfig config = ControllerConfig.parse("controller.yaml", yaml, tmp);
    started = Controllers.start(config, root, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (started != null) {
        started.close();
      }
    } finally {
      if (host != null) {
        host.close();
      }
    }
  }

  String compose(String page) {
    return compose(page, "");
  }

  /** The app; {@code webExtra} is added under web (indented four spaces). */
  String compose(String page, String webExtra) {
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
        + webExtra
        + "  api:\n"
        + "    build: ./api\n"
        + "    command: [httpd, -f, -p, '8080', -h, /srv]\n"
        + "    ports: ['127.0.0.1:"
        + apiPort
        + ":8080']\n"
        + "    deploy: {resources: {limits: {memory: 64m, pids: 100}}}\n";
  }

  @Test
  void aPolicyDenialDeploysNothingAndAWaiverCommitDeploys() throws Exception {
    Controller c = started.controller();
    c.syncAllNow("manual");
    assertThat(get()).isEqualTo("v1");
    Release good = c.store().lastGood("shop").orElseThrow();

    // a secret in the environment (enforced by default): denied before anything is built
    write("shop/web/index.html", "v2\n");
    write("shop/compose.yaml", compose("web", "    environment: {DB_PASSWORD: hunter2}\n"));
    commit("web: v2 with a password in its environment");
    c.syncAllNow("manual");
    AppStatus denied = c.store().appStatus("shop").orElseThrow();
    assertThat(denied.state()).isEqualTo(AppState.FAILED);
    assertThat(denied.message()).contains("denied by policy").contains("STAMP-SP-008");
    Release refused = c.store().history("shop", 1).get(0);
    assertThat(refused.state()).isEqualTo(ReleaseState.DENIED);
    assertThat(refused.verdicts())
        .anySatisfy(
            v -> {
              assertThat(v.rule()).isEqualTo("STAMP-SP-008");
              assertThat(v.location()).contains("shop/compose.yaml");
              assertThat(v.waived()).isFalse();
            });
    assertThat(get()).isEqualTo("v1");
    assertThat(c.store().lastGood("shop").orElseThrow().id()).isEqualTo(good.id());

    // a waiver commit (scoped to the app, with a reason): the same spec deploys
    write(
        ".stamp/policy.yaml",
        "waivers:\n  - rule: STAMP-SP-008\n    app: shop\n    reason: a test password\n");
    commit("policy: waive SP-008 for shop");
    c.syncAllNow("manual");
    assertThat(get()).isEqualTo("v2");
    Release deployed = c.store().lastGood("shop").orElseThrow();
    assertThat(deployed.verdicts())
        .anySatisfy(
            v -> {
              assertThat(v.rule()).isEqualTo("STAMP-SP-008");
              assertThat(v.waived()).isTrue();
            });
  }

  @Test
  void mergeDeploysAChangeReplacesOneServiceARevertReusesTheImageABadFileKeepsServing()
      throws Exception {
    Controller c = started.controller();
    c.syncAllNow("manual");
    AppStatus shop = c.store().appStatus("shop").orElseThrow();
    assertThat(shop.state()).as(shop.message()).isEqualTo(AppState.SYNCED);
    assertThat(get()).isEqualTo("v1");
    Release first = c.store().lastGood("shop").orElseThrow();
    assertThat(first.state()).isEqualTo(ReleaseState.SUCCEEDED);
    List<String> api1 = host.containers("shop.api");
    List<String> web1 = host.containers("shop.web");

    // one service changes: only web is rebuilt and replaced
    write("shop/web/index.html", "v2\n");
    commit("web: v2");
    c.syncAllNow("manual");
    assertThat(get()).isEqualTo("v2");
    Release second = c.store().lastGood("shop").orElseThrow();
    assertThat(second.id()).isGreaterThan(first.id());
    assertThat(second.digests().get("api")).isEqualTo(first.digests().get("api"));
    assertThat(second.digests().get("web")).isNotEqualTo(first.digests().get("web"));
    assertThat(host.containers("shop.api")).isEqualTo(api1);
    assertThat(host.containers("shop.web")).doesNotContainAnyElementsOf(web1);

    // git revert: the first release's web image again, bit for bit (its revision label is the
    // first commit's, so a rebuild could not give this digest)
    repo.revert();
    repo.push();
    c.syncAllNow("manual");
    assertThat(get()).isEqualTo("v1");
    Release reverted = c.store().lastGood("shop").orElseThrow();
    assertThat(reverted.digests()).isEqualTo(first.digests());

    // a malformed compose file: an error naming the file and line; v1 keeps serving
    write("shop/compose.yaml", compose("web") + "    ports: [oops\n");
    commit("broken compose");
    c.syncAllNow("manual");
    AppStatus broken = c.store().appStatus("shop").orElseThrow();
    assertThat(broken.state()).isEqualTo(AppState.ERROR);
    assertThat(broken.message()).contains("shop/compose.yaml");
    assertThat(get()).isEqualTo("v1");
    assertThat(c.store().lastGood("shop").orElseThrow().id()).isEqualTo(reverted.id());
  }

  @Test
  void aSignedWebhookSyncsABadOneDoesNotAndTheApiSyncsAndRollsBack() throws Exception {
    Controller c = started.controller();
    await(
        () -> c.store().appStatus("shop").map(s -> s.state() == AppState.SYNCED).orElse(false),
        "shop synced at start-up");
    assertThat(get()).isEqualTo("v1");
    write("shop/web/index.html", "v2\n");
    commit("web: v2");

    // a push with a bad signature: 401, nothing synced
    String head = repo.head();
    String body =
        "{\"ref\":\"refs/heads/main\",\"after\":\""
            + head
            + "\",\"repository\":{\"name\":\"shop\"}}";
    assertThat(hook(body, "sha256=" + "0".repeat(64))).isEqualTo(401);
    assertThat(hook(body, null)).isEqualTo(401);
    Thread.sleep(1000); // a sync it started would have fetched v2 by now
    assertThat(c.store().history("shop", 10)).hasSize(1);
    assertThat(get()).isEqualTo("v1");

    // the same push signed: the sync starts and v2 serves
    assertThat(hook(body, "sha256=" + Notifier.hmac(HOOK_SECRET, body.getBytes()))).isEqualTo(202);
    await(() -> get().equals("v2"), "v2 serving after the signed webhook");
    await(
        () -> c.store().lastGood("shop").orElseThrow().commit().equals(head),
        "a good release of " + head);

    // a rollback through the API is a commit on the branch (Git stays the truth): v1 serves again
    dev.stamp.controller.api.ControllerClient client =
        new dev.stamp.controller.api.ControllerClient(started.api(), API_TOKEN);
    dev.stamp.controller.api.SyncAccepted rolled =
        client.rollback("shop", java.util.Optional.empty());
    assertThat(rolled.release()).isPositive();
    await(
        () -> c.store().release(rolled.release()).orElseThrow().state().finished(),
        "rollback release " + rolled.release() + " finished");
    assertThat(c.store().release(rolled.release()).orElseThrow().state())
        .isEqualTo(ReleaseState.SUCCEEDED);
    assertThat(get()).isEqualTo("v1");
    repo.pull();
    assertThat(repo.git("log", "-1", "--format=%s")).startsWith("Roll back shop to release");
    assertThat(c.store().release(rolled.release()).orElseThrow().digests())
        .isEqualTo(
            c.store().history("shop", 10).get(c.store().history("shop", 10).size() - 1).digests());

    // a sync to a given revision through the API, followed by its release id
    dev.stamp.controller.api.SyncAccepted accepted =
        client.sync("shop", java.util.Optional.of(head), false);
    assertThat(accepted.release()).isPositive();
    await(
        () -> c.store().release(accepted.release()).orElseThrow().state().finished(),
        "sync release " + accepted.release() + " finished");
    assertThat(c.store().release(accepted.release()).orElseThrow().state())
        .isEqualTo(ReleaseState.SUCCEEDED);
    assertThat(get()).isEqualTo("v2");
    assertThat(client.history("shop", 10))
        .extracting(r -> r.id())
        .contains(accepted.release(), rolled.release());
  }

  int hook(String body, String signature) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(started.api().resolve("/hooks/github"))
            .header("X-GitHub-Event", "push")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      r.header("X-Hub-Signature-256", signature);
    }
    HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    System.out.println("webhook answered " + response.statusCode() + ": " + response.body());
    return response.statusCode();
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
