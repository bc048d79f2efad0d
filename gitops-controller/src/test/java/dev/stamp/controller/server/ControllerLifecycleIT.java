package dev.stamp.controller.server;

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
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.RegistryFixture;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.SecretFiles;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the controller's images go and when they leave, end to end with real Git, the real builder
 * and a real agent. {@code images.distribution: registry}: the controller pushes what it builds to
 * a real Debian docker-registry on 127.0.0.1 and the agent pulls from there; a merge deploys and
 * the image is in the registry under {@code :shortcommit}; a commit that changes one service sends
 * only that service's blobs; with the registry down a commit fails with a retryable error on the
 * app's status, nothing is rolled out and the running release keeps serving. Image garbage
 * collection: beyond {@code keepReleases} the old images leave the store, kept ones stay (a revert
 * to one is a cache hit), and an image a release in flight names is never deleted. An app whose
 * compose file leaves the repository: with {@code prune: false} its services keep running and its
 * status says so; with the default its services are deleted from the host and it shows {@code
 * removed}, while the other app keeps serving.
 */
@RequiresRoot
class ControllerLifecycleIT {

  /** What the default policy asks of every service (STAMP-SP-001 and its pids twin). */
  static final String LIMITS = "    deploy: {resources: {limits: {memory: 64m, pids: 100}}}\n";

  @TempDir Path tmp;
  RegistryFixture registry;
  AgentHost host;
  Controllers.Started started;
  GitOpsRepo repo;
  int webPort;

  @BeforeEach
  void setUp() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
    Path tar = BusyboxRootfs.tar(BusyboxRootfs.create(tmp.resolve("rootfs")), tmp.resolve("b.tar"));
    host = AgentHost.start("reg-a", Map.of(), tmp.resolve("a"), tar, "base:1");
    StampRoot root = new StampRoot(tmp.resolve("controller"));
    new RootfsImporter(ImageStore.open(root), Map.of())
        .importTar(tar, ImageReference.parse("base:1"), List.of());

    repo = GitOpsRepo.create(tmp, "regshop");
    webPort = TestNetworks.freePort();
    write(
        "regshop/compose.yaml",
        "services:\n"
            + "  web:\n"
            + "    build: ./web\n"
            + "    command: [httpd, -f, -p, '80', -h, /srv]\n"
            + "    ports: ['127.0.0.1:"
            + webPort
            + ":80']\n"
            + LIMITS
            + "  api:\n"
            + "    build: ./api\n"
            + "    command: [httpd, -f, -p, '8080', -h, /srv]\n"
            + LIMITS);
    write("regshop/web/Dockerfile", "FROM base:1\nCOPY index.html /srv/index.html\n");
    write("regshop/web/index.html", "v1\n");
    write("regshop/api/Dockerfile", "FROM base:1\nCOPY api.txt /srv/api.txt\n");
    write("regshop/api/api.txt", "api\n");
    commit("regshop: first release");
  }

  /** Starts the controller with {@code images} as its {@code images:} mapping. */
  void start(String images) throws Exception {
    start(images, "");
  }

  /** The same, with {@code repository} (", key: value" pairs) added to the repository. */
  void start(String images, String repository) throws Exception {
    String yaml =
        "api: {listen: 127.0.0.1:0, tokenFile: "
            + secret("api-token", "controller-api-token-0123456789")
            + "}\n"
            + "repositories:\n"
            + "  - {name: regshop, url: "
            + repo.url()
            + ", poll: off"
            + repository
            + "}\n"
            + "hosts:\n"
            + "  - {name: reg-a, agent: "
            + host.client.base()
            + ", tokenFile: "
            + secret("agent-token", AgentHost.TOKEN)
            + "}\n"
            + "images: "
            + images
            + "\n";
    ControllerConfig config = ControllerConfig.parse("controller.yaml", yaml, tmp);
    started =
        Controllers.start(config, new StampRoot(tmp.resolve("controller")), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (started != null) {
        started.close();
      }
      if (host != null) {
        host.close();
      }
    } finally {
      if (registry != null) {
        registry.close();
      }
    }
  }

  @Test
  void mergeDeploysFromTheRegistryAChangePushesOneServiceARegistryDownFailsAndKeepsServing()
      throws Exception {
    registry = RegistryFixture.start();
    start("{distribution: registry, registry: " + registry.host() + "/stamp}");
    Controller c = started.controller();
    c.syncAllNow("manual");
    AppStatus first = c.store().appStatus("regshop").orElseThrow();
    assertThat(first.state()).as(first.message()).isEqualTo(AppState.SYNCED);
    assertThat(page()).isEqualTo("v1");
    Release v1 = c.store().lastGood("regshop").orElseThrow();
    String short1 = v1.shortCommit();
    // visible by tag; the agent had only base:1 and no controller endpoint exists: it pulled there
    assertThat(tags("regshop/web")).contains(short1);
    assertThat(tags("regshop/api")).contains(short1);
    assertThat(host.client.service("regshop.web").orElseThrow().replicas().get(0).image())
        .contains(v1.digests().get("web").substring("sha256:".length(), 19));
    long apiUploads = registry.count("POST", "^/v2/stamp/regshop/api/blobs/uploads/");
    long webUploads = registry.count("POST", "^/v2/stamp/regshop/web/blobs/uploads/");
    long apiManifests = registry.count("PUT", "^/v2/stamp/regshop/api/manifests/");
    List<String> api1 = host.containers("regshop.api");

    // one service changes: only its blobs and manifest go up, the other is not touched
    write("regshop/web/index.html", "v2\n");
    commit("web: v2");
    c.syncAllNow("manual");
    assertThat(page()).isEqualTo("v2");
    Release v2 = c.store().lastGood("regshop").orElseThrow();
    assertThat(v2.id()).isGreaterThan(v1.id());
    assertThat(tags("regshop/web")).contains(v2.shortCommit());
    assertThat(registry.count("POST", "^/v2/stamp/regshop/api/blobs/uploads/"))
        .isEqualTo(apiUploads);
    assertThat(registry.count("PUT", "^/v2/stamp/regshop/api/manifests/")).isEqualTo(apiManifests);
    // the new layer and the new config; the base layer is there already
    assertThat(registry.count("POST", "^/v2/stamp/regshop/web/blobs/uploads/") - webUploads)
        .isEqualTo(2);
    assertThat(host.containers("regshop.api")).isEqualTo(api1);
    List<String> web2 = host.containers("regshop.web");

    // the registry is down: the commit fails with a retryable error, nothing is rolled out
    registry.close();
    registry = null;
    write("regshop/web/index.html", "v3\n");
    commit("web: v3");
    c.syncAllNow("manual");
    AppStatus down = c.store().appStatus("regshop").orElseThrow();
    assertThat(down.state()).isEqualTo(AppState.ERROR);
    assertThat(down.message())
        .contains("publish:", "regshop", "web", "/stamp/regshop/web", "the sync is retried");
    assertThat(down.failedCommit()).as("a retryable failure is retried by the next poll").isEmpty();
    Release failed = c.store().history("regshop", 1).get(0);
    assertThat(failed.state()).isEqualTo(ReleaseState.FAILED);
    assertThat(c.store().lastGood("regshop").orElseThrow().id()).isEqualTo(v2.id());
    assertThat(page()).isEqualTo("v2");
    assertThat(host.containers("regshop.web")).isEqualTo(web2);
  }

  @Test
  void garbageCollectionDeletesWhatNoKeptReleaseNamesKeepsTheRestAndWhatASyncInFlightNames()
      throws Exception {
    start("{distribution: embedded, listen: 127.0.0.1:0, keepReleases: 2, gcInterval: 1h}");
    Controller c = started.controller();
    c.syncAllNow("manual");
    Release r1 = c.store().lastGood("regshop").orElseThrow();
    write("regshop/web/index.html", "v2\n");
    commit("web: v2");
    c.syncAllNow("manual");
    Release r2 = c.store().lastGood("regshop").orElseThrow();
    write("regshop/web/index.html", "v3\n");
    commit("web: v3");
    c.syncAllNow("manual");
    Release r3 = c.store().lastGood("regshop").orElseThrow();
    assertThat(page()).isEqualTo("v3");
    assertThat(c.store().release(r1.id())).as("pruned beyond keepReleases").isEmpty();

    // a release in flight (a sync deploying it) names r1's web image: it stays
    long inFlight =
        c.store()
            .startRelease(
                new dev.stamp.controller.store.NewRelease(
                    "regshop",
                    r1.commit(),
                    r1.shortCommit(),
                    "dev",
                    "redeploy v1",
                    java.time.Instant.now(),
                    Map.of("web", r1.digests().get("web")),
                    "manual"));
    ImageGc.Result first = c.collectImages();
    ImageStore images = ImageStore.open(new StampRoot(tmp.resolve("controller")));
    assertThat(has(images, r1.digests().get("web"))).isTrue();
    assertThat(has(images, r2.digests().get("web"))).isTrue();
    assertThat(has(images, r3.digests().get("web"))).isTrue();
    assertThat(has(images, r3.digests().get("api"))).isTrue();
    assertThat(first.untagged()).isEmpty();
    c.store().updateRelease(inFlight, ReleaseState.FAILED, List.of(), "abandoned");

    // back to a kept release's content (r2's page, as a revert would): a cache hit, no build (a
    // build would carry this commit's revision label and so another digest)
    write("regshop/web/index.html", "v2\n");
    commit("web: back to v2");
    c.syncAllNow("manual");
    Release r4 = c.store().lastGood("regshop").orElseThrow();
    assertThat(r4.id()).isGreaterThan(r3.id());
    assertThat(r4.digests()).isEqualTo(r2.digests());
    assertThat(page()).isEqualTo("v2");

    // keepReleases 2: r4 and the abandoned one stay, r2 and r3 go; r3's web image is named by
    // no release now and leaves the store, the others stay
    ImageGc.Result second = c.collectImages();
    assertThat(c.store().release(r3.id())).isEmpty();
    assertThat(has(images, r3.digests().get("web"))).isFalse();
    assertThat(second.untagged())
        .extracting(ImageReference::familiar)
        .containsExactly("regshop/web:" + r3.shortCommit());
    assertThat(second.deleted()).isNotEmpty();
    assertThat(has(images, r2.digests().get("web"))).isTrue();
    assertThat(has(images, r2.digests().get("api"))).isTrue();
    assertThat(has(images, r1.digests().get("web")))
        .as("the failed release still names it")
        .isTrue();
    assertThat(images.resolve("base:1")).as("a base image is never collected").isNotNull();
    assertThat(page()).isEqualTo("v2");
  }

  @Test
  void anAppRemovedFromTheRepositoryIsKeptWithPruneFalseAndRemovedFromTheHostsOtherwise()
      throws Exception {
    write(
        "tools/compose.yaml",
        "services:\n  cron:\n    build: ./cron\n    command: [httpd, -f, -p, '9090', -h, /srv]\n"
            + LIMITS);
    write("tools/cron/Dockerfile", "FROM base:1\nCOPY job.txt /srv/job.txt\n");
    write("tools/cron/job.txt", "job\n");
    commit("tools: a second app");
    start("{distribution: embedded, listen: 127.0.0.1:0}", ", prune: false");
    Controller c = started.controller();
    c.syncAllNow("manual");
    assertThat(c.store().appStatus("tools").orElseThrow().state()).isEqualTo(AppState.SYNCED);
    List<String> cron = host.containers("tools.cron");
    assertThat(cron).hasSize(1);

    // prune: false: the app leaves the repository, its service keeps running, the status says so
    repo.git("rm", "-q", "-r", "tools");
    commit("tools: gone");
    c.syncAllNow("manual");
    AppStatus kept = c.store().appStatus("tools").orElseThrow();
    assertThat(kept.state()).isEqualTo(AppState.SYNCED);
    assertThat(kept.message()).startsWith(RepoWatch.KEPT);
    assertThat(host.containers("tools.cron")).isEqualTo(cron);

    // the default (prune): its services are deleted from the host, recorded as removed
    started.close();
    started = null;
    start("{distribution: embedded, listen: 127.0.0.1:0}");
    c = started.controller();
    c.syncAllNow("manual");
    AppStatus removed = c.store().appStatus("tools").orElseThrow();
    assertThat(removed.state()).as(removed.message()).isEqualTo(AppState.REMOVED);
    assertThat(removed.message()).contains("no longer in the repository", "tools.cron on reg-a");
    assertThat(c.store().events("tools", 0, 1000))
        .anySatisfy(e -> assertThat(e.type()).isEqualTo("removed"));
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (host.client.service("tools.cron").isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(host.client.service("tools.cron")).isEmpty();
    assertThat(c.store().appStatus("regshop").orElseThrow().state()).isEqualTo(AppState.SYNCED);
    assertThat(page()).isEqualTo("v1");
    assertThat(c.apps())
        .anySatisfy(
            a -> {
              assertThat(a.name()).isEqualTo("tools");
              assertThat(a.state()).isEqualTo("removed");
            });
  }

  static boolean has(ImageStore images, String digest) throws Exception {
    return images.hasBlob(dev.stamp.runtime.image.Digest.parse(digest));
  }

  /** The registry's tag list of {@code repository} under its {@code stamp/} prefix (JSON). */
  String tags(String repository) {
    return HttpFetch.get(registry.url() + "/v2/stamp/" + repository + "/tags/list");
  }

  String page() throws Exception {
    return HttpFetch.getWhenUp("http://127.0.0.1:" + webPort + "/index.html").strip();
  }

  void write(String path, String text) {
    repo.write(path, text);
  }

  void commit(String message) {
    repo.commit(message);
    repo.push();
  }

  Path secret(String name, String value) throws Exception {
    return SecretFiles.write(tmp, name, value);
  }
}
