package dev.stamp.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.controller.config.ControllerConfig;
import dev.stamp.controller.rollout.AgentHost;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.AppStatus;
import dev.stamp.controller.store.StoredEvent;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.GitOpsRepo;
import dev.stamp.testkit.SecretFiles;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * A controller in this JVM for an integration test, as {@code stamp controller} wires one ({@link
 * Controllers#start}: store, builder, image endpoint, API), over real agents ({@link AgentHost},
 * each on a root of its own with a fixed API port, so one can be stopped and served again) and a
 * {@link GitOpsRepo} named {@code shop} (poll off: the test syncs). The busybox rootfs is {@code
 * base:1} on every root. {@link #start} takes what the test adds to the repository's entry and to
 * the configuration's top level.
 */
final class ControllerHarness implements AutoCloseable {

  static final String API_TOKEN = "controller-harness-api-token-0123";

  final Path tmp;
  final Path tar;
  final StampRoot root;
  final GitOpsRepo repo;
  final Map<String, AgentHost> hosts = new LinkedHashMap<>();
  final Map<String, Map<String, String>> labels = new LinkedHashMap<>();
  private final List<AutoCloseable> others = new ArrayList<>();
  Controllers.Started started;

  /** The repository's URL in the configuration (the bare repository's file URL unless set). */
  String url;

  private ControllerHarness(Path tmp, Path tar) throws Exception {
    this.tmp = tmp;
    this.tar = tar;
    this.root = new StampRoot(tmp.resolve("controller"));
    new RootfsImporter(ImageStore.open(root), Map.of())
        .importTar(tar, ImageReference.parse("base:1"), List.of());
    this.repo = GitOpsRepo.create(tmp, "shop");
    this.url = repo.url().toString();
  }

  /** The busybox image, the controller's root and the repository under {@code tmp}; no hosts. */
  static ControllerHarness prepare(Path tmp) throws Exception {
    Assumptions.assumeTrue(BusyboxRootfs.available(), "skipped: needs busybox-static");
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    return new ControllerHarness(tmp, BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar")));
  }

  /** {@code resource} (a server of the test's) is closed after the controller and the agents. */
  <T extends AutoCloseable> T closing(T resource) {
    others.add(resource);
    return resource;
  }

  /** A real agent named {@code name} with {@code hostLabels}, API on a free fixed port. */
  ControllerHarness host(String name, Map<String, String> hostLabels) throws Exception {
    hosts.put(
        name,
        AgentHost.start(
            name, hostLabels, tmp.resolve("host-" + name), tar, "base:1", TestNetworks.freePort()));
    labels.put(name, hostLabels);
    return this;
  }

  /**
   * Starts the controller: {@code repoExtra} is added to the repository's flow mapping (", key:
   * value…"), {@code topExtra} to the top level (block lines).
   */
  Controller start(String repoExtra, String topExtra, Clock clock) throws Exception {
    StringBuilder yaml =
        new StringBuilder()
            .append("api: {listen: 127.0.0.1:0, tokenFile: ")
            .append(secret("api-token", API_TOKEN))
            .append("}\nrepositories:\n  - {name: shop, url: ")
            .append(url)
            .append(", poll: off")
            .append(repoExtra)
            .append("}\nhosts:\n");
    Path agentToken = secret("agent-token", AgentHost.TOKEN);
    for (AgentHost h : hosts.values()) {
      String l =
          labels.get(h.name).entrySet().stream()
              .map(e -> e.getKey() + ": " + e.getValue())
              .collect(Collectors.joining(", "));
      yaml.append("  - {name: ")
          .append(h.name)
          .append(", agent: ")
          .append(h.client.base())
          .append(", tokenFile: ")
          .append(agentToken)
          .append(", labels: {")
          .append(l)
          .append("}}\n");
    }
    yaml.append("images: {distribution: embedded, listen: 127.0.0.1:0}\n").append(topExtra);
    ControllerConfig config = ControllerConfig.parse("controller.yaml", yaml.toString(), tmp);
    started = Controllers.start(config, root, clock);
    return started.controller();
  }

  Controller controller() {
    return started.controller();
  }

  Path secret(String name, String value) throws Exception {
    return SecretFiles.write(tmp, name, value);
  }

  /**
   * The app {@code shop} with one service, web (httpd serving {@code web/index.html} at /), built
   * from {@code web/}: {@code deploy} opens its deploy mapping ({@code "replicas: 2, "}), {@code
   * more} adds lines under web.
   */
  static String webApp(String deploy, String more) {
    return "services:\n"
        + "  web:\n"
        + "    build: ./web\n"
        + "    command: [httpd, -f, -p, '80', -h, /srv]\n"
        + "    stop_grace_period: 1s\n" // httpd as PID 1 ignores SIGTERM: a replace waits this
        + "    deploy: {"
        + deploy
        + "resources: {limits: {memory: 64m, pids: 100}}}\n"
        + more;
  }

  /** Pushes {@code compose} as shop/compose.yaml with web's Dockerfile and index.html "v1". */
  String pushV1(String compose) {
    return push(
        "shop: v1",
        "shop/compose.yaml",
        compose,
        "shop/web/Dockerfile",
        "FROM base:1\nCOPY index.html /srv/index.html\n",
        "shop/web/index.html",
        "v1\n");
  }

  /** Writes files ({@code path, text, path, text…}), commits and pushes them; the new head. */
  String push(String message, String... pathsAndTexts) {
    for (int i = 0; i < pathsAndTexts.length; i += 2) {
      repo.write(pathsAndTexts[i], pathsAndTexts[i + 1]);
    }
    repo.commit(message);
    return repo.push();
  }

  AppStatus status(String app) throws Exception {
    return controller().store().appStatus(app).orElseThrow();
  }

  /** Asserts {@code app} is in {@code state}, showing its message when not. */
  AppStatus assertState(String app, AppState state) throws Exception {
    AppStatus s = status(app);
    assertThat(s.state()).as(s.message()).isEqualTo(state);
    return s;
  }

  /** The event stream of {@code app} as the API sends it: type and data of each, in order. */
  List<String> events(String app) throws Exception {
    List<String> out = new ArrayList<>();
    for (StoredEvent e : controller().store().events(app, 0, 10_000)) {
      out.add(e.type() + " " + e.json());
    }
    return out;
  }

  /** The images the replicas of {@code agentName} run on {@code host}. */
  List<String> images(String host, String agentName) throws Exception {
    return hosts.get(host).client.service(agentName).orElseThrow().replicas().stream()
        .map(r -> r.image())
        .toList();
  }

  /**
   * A clock that runs at the system's pace from an instant the test picks, and that the test can
   * move (to step into and out of a sync window).
   */
  static final class MovableClock extends Clock {
    private volatile java.time.Instant base;
    private volatile long since = System.nanoTime();

    MovableClock(java.time.Instant start) {
      this.base = start;
    }

    /** From now on the clock reads {@code t} (and runs on from there). */
    synchronized void set(java.time.Instant t) {
      since = System.nanoTime();
      base = t;
    }

    @Override
    public synchronized java.time.Instant instant() {
      return base.plusNanos(System.nanoTime() - since);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException("UTC only");
    }
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    try {
      if (started != null) {
        started.close();
      }
    } finally {
      for (AgentHost h : hosts.values()) {
        try {
          h.close();
        } catch (Exception | AssertionError e) {
          if (first == null) {
            first = e instanceof Exception x ? x : new Exception(e);
          }
        }
      }
    }
    for (AutoCloseable r : others) {
      try {
        r.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
