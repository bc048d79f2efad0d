import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.builder.engine.ImageBuilder;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.controller.git.GitRepository;
import dev.stamp.controller.git.RepoSource;
import dev.stamp.controller.git.TreeSnapshot;
import dev.stamp.controller.images.BuildCatalog;
import dev.stamp.controller.images.BuildInputs;
import dev.stamp.controller.images.CatalogEntry;
import dev.stamp.controller.images.ImageDecision;
import dev.stamp.controller.images.ImagePlanner;
import dev.stamp.controller.rollout.AgentNames;
import dev.stamp.controller.rollout.DesiredApp;
import dev.stamp.controller.rollout.DesiredService;
import dev.stamp.controller.rollout.HostAgent;
import dev.stamp.controller.rollout.Placement;
import dev.stamp.controller.rollout.PlacementPlan;
import dev.stamp.controller.rollout.Rollout;
import dev.stamp.controller.rollout.RolloutPlan;
import dev.stamp.controller.rollout.SpecDigest;
import dev.stamp.controller.sync.DesiredState;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller's planning at scale: APPS apps of SERVICES services each (every service built
 * from a Dockerfile and a context of its own, FROM base:1; replicas 1-3, a third of the services
 * constrained to a role) committed to a real bare Git repository, HOSTS simulated hosts (a {@link
 * HostAgent} answering from memory what a real agent would: every service of every app already
 * running as the release declares it). One full plan is what a sync of every app decides before it
 * builds or sends anything: fetch is left out (it is Git's), then {@link DesiredState#read} of the
 * commit's tree (every compose.yaml), {@link ImagePlanner#plan} of every build (source keys: tree
 * ids of the contexts, the Dockerfiles, the base's digest; a catalogue lookup each) and {@link
 * Rollout#plan} of every app against every host (each host's service list, placement, spec
 * digests). Timed cold (the catalogue knows no key: every image BUILD) and warm (it knows every
 * key: REUSE), p50 of RUNS after WARMUP; the heap after a full GC with everything loaded.
 *
 * <p>Arguments: WORK_DIR ROOTFS_TAR APPS SERVICES HOSTS WARMUP RUNS [HTTP_RUNS: the warm plan
 * again with the hosts behind HTTP servers on 127.0.0.1, read by the real AgentClient]. Not a test.
 */
public final class ControllerScaleBench {

  /** Rollout.plan(apps) (each host listed once for every app) instead of Rollout.plan per app. */
  static boolean BATCHED;

  public static void main(String[] a) throws Exception {
    Path work = Path.of(a[0]);
    Path rootfsTar = Path.of(a[1]);
    int apps = Integer.parseInt(a[2]);
    int services = Integer.parseInt(a[3]);
    int hostCount = Integer.parseInt(a[4]);
    int warmup = Integer.parseInt(a[5]);
    int runs = Integer.parseInt(a[6]);
    int httpRuns = a.length > 7 ? Integer.parseInt(a[7]) : 0;

    long t0 = System.nanoTime();
    Path bare = generateRepository(work, apps, services);
    System.out.printf(
        "repository: %d apps x %d services (%d Dockerfiles) committed in %.1f s%n",
        apps, services, apps * services, (System.nanoTime() - t0) / 1e9);

    StampRoot root = new StampRoot(work.resolve("controller"));
    new RootfsImporter(ImageStore.open(root), Map.of())
        .importTar(rootfsTar, ImageReference.parse("base:1"), List.of());
    ImageBuilder builder = ImageBuilder.open(root);
    String baseDigest =
        builder.store().resolve("base:1").manifestDigest().toString();
    GitRepository repo =
        GitRepository.open(
            work.resolve("controller/mirrors"), RepoSource.of("fleet", bare.toUri().toString()));
    String commit = repo.fetch().commit();

    List<HostAgent> hosts = new ArrayList<>();
    for (int h = 0; h < hostCount; h++) {
      hosts.add(new MemoryHost("host" + h, Map.of("role", h % 4 == 0 ? "db" : "web")));
    }

    BuildCatalog empty = BuildCatalog.inMemory();
    BuildCatalog known = BuildCatalog.inMemory();
    // deploy every app once onto the simulated hosts (what they then report), teach `known` keys
    long f0 = System.nanoTime();
    Plan first = plan(repo, commit, builder, empty, hosts);
    System.out.printf(
        "first full plan in this JVM (cold JIT, empty hosts): %.0f ms (read %.0f, images %.0f,"
            + " rollout %.0f)%n",
        (System.nanoTime() - f0) / 1e6,
        first.phaseNanos[0] / 1e6,
        first.phaseNanos[1] / 1e6,
        first.phaseNanos[2] / 1e6);
    for (var e : first.decisions.entrySet()) {
      for (ImageDecision d : e.getValue()) {
        known.record(
            new CatalogEntry(
                d.key(),
                e.getKey(),
                d.service(),
                e.getKey() + "/" + d.service() + ":" + commit.substring(0, 12),
                baseDigest,
                commit,
                Instant.now(),
                Duration.ZERO));
      }
    }
    int placed = 0;
    for (DesiredApp app : first.desired) {
      PlacementPlan placement = Placement.place(app, hosts);
      for (DesiredService s : app.services()) {
        ServiceSpec spec = s.spec();
        // the image the warm plan decides (REUSE of baseDigest), so every service is unchanged
        spec = spec.withImage(baseDigest);
        for (HostAgent h : hosts) {
          int n = placement.replicas(s.name(), h.name());
          if (n > 0) {
            h.put(AgentNames.of(app.name(), s.name()), SpecDigest.withReplicas(spec, n));
            placed += n;
          }
        }
      }
    }
    System.out.printf(
        "hosts: %d simulated, %d replicas of %d services running on them%n",
        hostCount, placed, apps * services);

    MemoryHost.LISTS.reset();
    MemoryHost.LISTED.reset();
    report("cold (no key known: every image BUILD)", repo, commit, builder, empty, hosts, warmup, runs);
    report("warm (every key known: REUSE)", repo, commit, builder, known, hosts, warmup, runs);
    BATCHED = true;
    report(
        "warm, each host listed once (Rollout.plan(apps))",
        repo,
        commit,
        builder,
        known,
        hosts,
        warmup,
        runs);
    BATCHED = false;
    for (boolean batched : new boolean[] {false, true}) {
      BATCHED = batched;
      MemoryHost.LISTS.reset();
      MemoryHost.LISTED.reset();
      plan(repo, commit, builder, known, hosts);
      System.out.printf(
          "agent calls per full plan, %s: %d service lists (GET /v1/services), %d statuses%n",
          batched ? "Rollout.plan(apps)" : "Rollout.plan per app",
          MemoryHost.LISTS.sum(),
          MemoryHost.LISTED.sum());
    }
    BATCHED = false;

    // the same hosts behind real HTTP on 127.0.0.1 (one JDK server each, the statuses encoded as
    // the agent does), read by the real AgentClient: what those list calls cost on the wire
    if (httpRuns > 0) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      List<com.sun.net.httpserver.HttpServer> servers = new ArrayList<>();
      List<HostAgent> wired = new ArrayList<>();
      for (HostAgent h : hosts) {
        MemoryHost m = (MemoryHost) h;
        com.sun.net.httpserver.HttpServer server =
            com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext(
            "/v1/services",
            ex -> {
              byte[] body = dev.stamp.agent.api.AgentClient.JSON.writeValueAsBytes(m.services());
              ex.getResponseHeaders().set("Content-Type", "application/json");
              ex.sendResponseHeaders(200, body.length);
              ex.getResponseBody().write(body);
              ex.close();
            });
        server.setExecutor(pool);
        server.start();
        servers.add(server);
        wired.add(
            HostAgent.of(
                m.name(),
                m.labels(),
                new dev.stamp.agent.api.AgentClient(
                    java.net.URI.create(
                        "http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                    "bench-token")));
      }
      report(
          "warm, hosts over HTTP on 127.0.0.1", repo, commit, builder, known, wired, 1, httpRuns);
      BATCHED = true;
      report(
          "warm, hosts over HTTP, each listed once (Rollout.plan(apps))",
          repo,
          commit,
          builder,
          known,
          wired,
          1,
          httpRuns);
      BATCHED = false;
      servers.forEach(x -> x.stop(0));
      pool.shutdownNow();
    }

    // the heap with everything a controller holds for this fleet loaded, after a full GC
    Plan held = plan(repo, commit, builder, known, hosts);
    System.gc();
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long max = Runtime.getRuntime().maxMemory();
    System.out.printf(
        "heap after GC, one full plan held (%d apps, %d steps): %.1f MB used (max heap %.0f MB)%n",
        held.desired.size(), held.steps, used / 1e6, max / 1e6);
    repo.close();
  }

  static void report(
      String what,
      GitRepository repo,
      String commit,
      ImageBuilder builder,
      BuildCatalog catalog,
      List<HostAgent> hosts,
      int warmup,
      int runs)
      throws Exception {
    List<Long> total = new ArrayList<>();
    long[] phases = new long[3];
    Plan last = null;
    for (int i = 0; i < warmup + runs; i++) {
      long t0 = System.nanoTime();
      last = plan(repo, commit, builder, catalog, hosts);
      if (i >= warmup) {
        total.add(System.nanoTime() - t0);
        for (int p = 0; p < 3; p++) {
          phases[p] += last.phaseNanos[p];
        }
      }
    }
    long[] s = total.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        "full plan, %s: p50 %.0f ms, p90 %.0f ms, min %.0f ms (%d runs after %d warm-up);"
            + " mean per phase: read %.0f ms, images %.0f ms, rollout %.0f ms; %s%n",
        what,
        s[(s.length - 1) / 2] / 1e6,
        s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.9) - 1)] / 1e6,
        s[0] / 1e6,
        runs,
        warmup,
        phases[0] / 1e6 / runs,
        phases[1] / 1e6 / runs,
        phases[2] / 1e6 / runs,
        last.summary());
  }

  /** What {@code plan} produced and how long each phase took. */
  static final class Plan {
    final Map<String, List<ImageDecision>> decisions = new LinkedHashMap<>();
    final List<DesiredApp> desired = new ArrayList<>();
    final Map<String, Integer> actions = new TreeMap<>();
    final Map<String, Integer> images = new TreeMap<>();
    final long[] phaseNanos = new long[3];
    int steps;

    String summary() {
      return "images " + images + ", steps " + actions;
    }
  }

  /** A full plan of every app at {@code commit}, as AppSync.plan does it app by app. */
  static Plan plan(
      GitRepository repo,
      String commit,
      ImageBuilder builder,
      BuildCatalog catalog,
      List<HostAgent> hosts)
      throws Exception {
    Plan out = new Plan();
    long t0 = System.nanoTime();
    TreeSnapshot tree = repo.snapshot(commit);
    DesiredState state = DesiredState.read(tree, "", "fleet");
    long t1 = System.nanoTime();
    ImagePlanner planner =
        new ImagePlanner(
            builder,
            catalog,
            Path.of("/nonexistent-bench-tmp"),
            2,
            "file:///fleet.git",
            Clock.systemUTC());
    Map<String, Map<String, String>> digests = new LinkedHashMap<>();
    for (DesiredState.Loaded loaded : state.apps().values()) {
      ComposeApp compose =
          loaded
              .app()
              .orElseThrow(() -> new IllegalStateException(loaded.error().orElse("?")));
      List<BuildInputs> builds = new ArrayList<>();
      for (ComposeService s : compose.services().values()) {
        builds.add(BuildInputs.of(compose, s));
      }
      List<ImageDecision> decided = planner.plan(tree, builds);
      Map<String, String> byService = new LinkedHashMap<>();
      for (ImageDecision d : decided) {
        byService.put(d.service(), d.digest().orElse("sha256:" + "0".repeat(64)));
        out.images.merge(d.action().name(), 1, Integer::sum);
      }
      out.decisions.put(loaded.name(), decided);
      digests.put(loaded.name(), byService);
    }
    long t2 = System.nanoTime();
    Rollout rollout = new Rollout(hosts, e -> {});
    for (DesiredState.Loaded loaded : state.apps().values()) {
      out.desired.add(
          DesiredApp.of(
              loaded.app().orElseThrow(), tree.commit().shortId(), digests.get(loaded.name())));
    }
    List<RolloutPlan> plans = new ArrayList<>();
    if (BATCHED) {
      plans.addAll(rollout.plan(out.desired).values());
    } else {
      for (DesiredApp app : out.desired) {
        plans.add(rollout.plan(app));
      }
    }
    for (RolloutPlan p : plans) {
      for (var step : p.steps()) {
        out.actions.merge(step.action().name(), 1, Integer::sum);
        out.steps++;
      }
    }
    long t3 = System.nanoTime();
    out.phaseNanos[0] = t1 - t0;
    out.phaseNanos[1] = t2 - t1;
    out.phaseNanos[2] = t3 - t2;
    return out;
  }

  /**
   * A simulated host: its agent's services in memory, each running as put (all replicas healthy),
   * reported the way the agent's API reports them.
   */
  static final class MemoryHost implements HostAgent {
    final String name;
    final Map<String, String> labels;
    final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();
    static final java.util.concurrent.atomic.LongAdder LISTS =
        new java.util.concurrent.atomic.LongAdder();
    static final java.util.concurrent.atomic.LongAdder LISTED =
        new java.util.concurrent.atomic.LongAdder();

    MemoryHost(String name, Map<String, String> labels) {
      this.name = name;
      this.labels = labels;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Map<String, String> labels() {
      return labels;
    }

    @Override
    public PutResult put(String service, ServiceSpec spec) {
      String digest = SpecDigest.of(spec);
      ServiceStatus had = services.get(service);
      if (had != null && had.specDigest().equals(digest)) {
        return new PutResult(service, had.generation(), false, digest);
      }
      long generation = had == null ? 1 : had.generation() + 1;
      List<ServiceStatus.Replica> replicas = new ArrayList<>();
      for (int i = 0; i < spec.replicas(); i++) {
        replicas.add(
            new ServiceStatus.Replica(
                i,
                String.format("%064x", (long) (service + "/" + i + "/" + generation).hashCode()),
                spec.image(),
                "running",
                "healthy",
                false,
                List.of(),
                "2026-12-06T00:00:00Z"));
      }
      services.put(
          service,
          new ServiceStatus(
              service, generation, generation, "running", digest, replicas, null, null));
      return new PutResult(service, generation, true, digest);
    }

    @Override
    public Optional<ServiceStatus> status(String service) {
      return Optional.ofNullable(services.get(service));
    }

    @Override
    public List<ServiceStatus> services() {
      LISTS.increment();
      LISTED.add(services.size());
      return List.copyOf(services.values());
    }

    @Override
    public void delete(String service) {
      services.remove(service);
    }
  }

  /** apps/appNN/compose.yaml with SERVICES services, each building svcM/ (Dockerfile + a file). */
  static Path generateRepository(Path work, int apps, int services) throws Exception {
    Path tree = work.resolve("tree");
    for (int app = 0; app < apps; app++) {
      Path dir = tree.resolve(String.format("apps/app%03d", app));
      StringBuilder compose = new StringBuilder("services:\n");
      for (int svc = 0; svc < services; svc++) {
        String name = "svc" + svc;
        Path ctx = dir.resolve(name);
        Files.createDirectories(ctx);
        Files.writeString(
            ctx.resolve("Dockerfile"),
            "FROM base:1\nCOPY index.html /srv/index.html\nUSER nobody\n"
                + "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/srv\"]\n");
        Files.writeString(ctx.resolve("index.html"), "app " + app + " service " + svc + "\n");
        compose
            .append("  ")
            .append(name)
            .append(":\n    build: ./")
            .append(name)
            .append("\n    environment: {APP: app")
            .append(app)
            .append(", LOG_LEVEL: info}\n")
            .append("    healthcheck: {test: [CMD, wget, -q, -O, /dev/null, 'http://127.0.0.1:8080/'],")
            .append(" interval: 5s}\n")
            .append("    deploy:\n      replicas: ")
            .append(1 + (app + svc) % 3)
            .append("\n      resources: {limits: {memory: 64m, cpus: '0.5', pids: 100}}\n")
            .append("      update_config: {parallelism: 1, order: start-first}\n");
        if (svc % 3 == 0) {
          compose.append("      placement: {constraints: ['node.labels.role == web']}\n");
        }
        if (svc > 0) {
          compose.append("    depends_on: [svc0]\n");
        }
      }
      Files.writeString(dir.resolve("compose.yaml"), compose.toString());
    }
    git(tree, "init", "-q", "-b", "main");
    git(tree, "add", "-A");
    git(tree, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "fleet");
    Path bare = work.resolve("fleet.git");
    git(work, "clone", "-q", "--bare", tree.toString(), bare.toString());
    return bare;
  }

  static void git(Path dir, String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "git";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + text);
    }
  }
}
