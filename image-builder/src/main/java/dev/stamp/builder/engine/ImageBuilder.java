package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.context.DockerIgnore;
import dev.stamp.builder.dockerfile.BuildArgs;
import dev.stamp.builder.dockerfile.BuildPlan;
import dev.stamp.builder.dockerfile.Dockerfile;
import dev.stamp.builder.dockerfile.DockerfileParser;
import dev.stamp.builder.dockerfile.Instructions;
import dev.stamp.builder.dockerfile.ResolvedStage;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.fs.RootOperations;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.RootFs;
import dev.stamp.runtime.layer.LayerStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a Dockerfile into the local store: parses and resolves it ({@link Instructions#resolve}:
 * only the stages the target needs), builds the stages as a graph (a stage starts when the stages
 * it depends on are done; independent ones run in parallel), writes the config and manifest, tags
 * the result and writes any {@code --output}. Everything is leased until tagged; temp dirs live
 * under {@code ROOT/build-tmp} and are removed whatever happens.
 */
public final class ImageBuilder {

  private static final int PARALLEL_STAGES = 3;

  private final StampRoot root;
  private final ImageStore store;
  private final LayerStore layers;
  private final BuildCache cache;
  private final RunExecutor executor;
  private final BaseImageResolver bases;

  public ImageBuilder(
      StampRoot root,
      ImageStore store,
      LayerStore layers,
      RunExecutor executor,
      BaseImageResolver bases)
      throws BuildException {
    this.root = root;
    this.store = store;
    this.layers = layers;
    this.executor = executor;
    this.bases = bases;
    removeStaleTemps(root.path().resolve("build-tmp"));
    try {
      this.cache = BuildCache.open(root, store);
    } catch (IOException e) {
      throw BuildException.failed(
          "open build cache under " + root.path() + ": " + e.getMessage(), e);
    }
  }

  /** A builder over the local store at {@code root} with today's RUN executor. */
  public static ImageBuilder open(StampRoot root) throws BuildException {
    try {
      ImageStore store = ImageStore.open(root);
      LayerStore layers = LayerStore.open(root, store);
      return new ImageBuilder(
          root, store, layers, defaultExecutor(root), BaseImageResolver.registries(root, store));
    } catch (HostRuntimeException e) {
      throw BuildException.wrap("open state root " + root.path(), e);
    }
  }

  /** RUN steps as Stamp containers under {@code root} ({@link RuntimeRunExecutor}). */
  public static RunExecutor defaultExecutor(StampRoot root) {
    return RuntimeRunExecutor.open(root);
  }

  public ImageStore store() {
    return store;
  }

  @SuppressWarnings("try") // leases held for the block, never read
  public BuildResult build(BuildRequest request, Progress progress) throws BuildException {
    Prepared prepared = prepare(request, false);
    Instructions instructions = prepared.instructions();
    BaseImageResolver buildBases = prepared.bases();
    BuildPlan plan = prepared.plan();
    SourceTree context = prepared.context();
    Path digestsFile = prepared.digestsFile();
    Path tmp = prepared.tmp();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            PARALLEL_STAGES,
            r -> {
              Thread t = new Thread(r, "stamp-build-stage");
              t.setDaemon(true);
              return t;
            });
    try (ImageStore.Lease storeLease = store.lease();
        LayerStore.Lease layerLease = layers.lease()) {
      Files.createDirectories(tmp);
      Session session =
          new Session(
              request,
              instructions,
              context,
              tmp,
              progress,
              buildBases,
              new AtomicInteger(),
              Collections.synchronizedList(new ArrayList<>()),
              new java.util.concurrent.atomic.AtomicBoolean(),
              false);
      Map<Integer, CompletableFuture<Snapshot>> done =
          new java.util.concurrent.ConcurrentHashMap<>();
      for (ResolvedStage stage : plan.stages()) {
        List<CompletableFuture<Snapshot>> deps = new ArrayList<>();
        for (int dep : plan.dependencies().getOrDefault(stage.index(), java.util.Set.of())) {
          if (done.containsKey(dep)) {
            deps.add(done.get(dep));
          }
        }
        Map<Integer, CompletableFuture<Snapshot>> visible = done;
        CompletableFuture<Snapshot> future =
            CompletableFuture.allOf(deps.toArray(CompletableFuture[]::new))
                .thenApplyAsync(
                    ignored -> {
                      try {
                        return new StageBuilder(context(session, stage, resolvedStages(visible)))
                            .build();
                      } catch (BuildException e) {
                        throw new CompletionException(e);
                      }
                    },
                    pool);
        done.put(stage.index(), future);
      }
      Snapshot result;
      try {
        result = join(done.get(plan.target()));
      } catch (BuildException e) {
        settle(session, done.values());
        throw e;
      }
      context.saveRemembered(digestsFile);
      Image image = commit(result, request);
      writeOutputs(image, request);
      List<StepReport> reports = new ArrayList<>(session.reports());
      reports.sort(java.util.Comparator.comparingInt(StepReport::number));
      return new BuildResult(image, reports, plan.unusedBuildArgs(), result.cacheKey());
    } catch (IOException e) {
      throw BuildException.failed("build: " + e.getMessage(), e);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap("build", e);
    } finally {
      pool.shutdownNow();
      deleteQuietly(tmp);
    }
  }

  /**
   * The cache keys a build of {@code request} would record, computed WITHOUT building: no RUN runs,
   * no layer is written or unpacked, nothing is tagged. Base images come from the local store or,
   * when missing (or with {@code --pull}), from the registry's manifest and config (never their
   * layers); an ADD of a URL without {@code --checksum} is downloaded (its content is its key),
   * into a temp dir removed afterwards. Equal keys mean equal inputs: a controller can reuse the
   * image a build with that key produced. Errors are the build's (same kinds, same lines).
   */
  public BuildKeys plan(BuildRequest request) throws BuildException {
    Prepared prepared = prepare(request, true);
    BuildPlan plan = prepared.plan();
    try {
      Session session =
          new Session(
              request,
              prepared.instructions(),
              prepared.context(),
              prepared.tmp(),
              Progress.NONE,
              prepared.bases(),
              new AtomicInteger(),
              Collections.synchronizedList(new ArrayList<>()),
              new java.util.concurrent.atomic.AtomicBoolean(),
              true);
      Map<Integer, Snapshot> done = new HashMap<>();
      for (ResolvedStage stage : plan.stages()) { // in dependency order, one at a time
        done.put(
            stage.index(), new StageBuilder(context(session, stage, Map.copyOf(done))).build());
      }
      prepared.context().saveRemembered(prepared.digestsFile());
      List<BuildKeys.Step> steps = new ArrayList<>();
      for (StepReport r : session.reports()) {
        steps.add(new BuildKeys.Step(r.stage(), r.index(), r.text(), r.cacheKey()));
      }
      return new BuildKeys(done.get(plan.target()).cacheKey(), steps);
    } catch (IOException e) {
      throw BuildException.failed("plan: " + e.getMessage(), e);
    } finally {
      deleteQuietly(prepared.tmp());
    }
  }

  /** What a build and a plan both start from. */
  private record Prepared(
      Instructions instructions,
      BaseImageResolver bases,
      BuildPlan plan,
      SourceTree context,
      Path digestsFile,
      Path tmp) {}

  /**
   * Parses the Dockerfile, resolves the target's stages (bases by their config: {@code inspectOnly}
   * never pulls layers), checks entitlements and loads the context's remembered digests; names the
   * build's temp dir (not created).
   */
  private Prepared prepare(BuildRequest request, boolean inspectOnly) throws BuildException {
    Instructions instructions = parse(request);
    BaseImageResolver resolver = request.pull() ? bases.alwaysPulling() : bases;
    BuildPlan plan =
        instructions.resolve(
            BuildArgs.of(request.buildArgs()),
            request.target(),
            ref -> envOf(resolveBase(resolver, instructions, ref, inspectOnly)));
    checkEntitlements(plan, request, instructions.file());
    SourceTree context =
        SourceTree.context(
            request.contextDir(), DockerIgnore.load(request.contextDir(), request.dockerfile()));
    Path digestsFile = digestsFile(context);
    context.loadRemembered(digestsFile);
    Path tmp = root.path().resolve("build-tmp").resolve(tempName());
    return new Prepared(instructions, resolver, plan, context, digestsFile, tmp);
  }

  /**
   * The build's temp dir name: this process's tag first ({@link RootOperations}), so the recovery
   * pass of a later process can tell a killed build's dir (and its mounts) from a live one's.
   */
  private String tempName() throws BuildException {
    try {
      return RootOperations.register(root.path()) + "-" + UUID.randomUUID();
    } catch (IOException e) {
      throw BuildException.failed(
          "build: register the build under " + root.path() + ": " + e.getMessage(), e);
    }
  }

  /** Where the context's file digests are remembered between builds (one file per context dir). */
  private Path digestsFile(SourceTree context) {
    return root.path()
        .resolve("build-cache")
        .resolve("context-digests")
        .resolve(BuildCache.key(context.path("").toString()));
  }

  private static Map<Integer, Snapshot> resolvedStages(
      Map<Integer, CompletableFuture<Snapshot>> futures) {
    Map<Integer, Snapshot> out = new HashMap<>();
    futures.forEach(
        (index, f) -> {
          if (f.isDone() && !f.isCompletedExceptionally()) {
            out.put(index, f.join());
          }
        });
    return out;
  }

  private static Snapshot join(CompletableFuture<Snapshot> future) throws BuildException {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof BuildException be) {
        throw be;
      }
      if (cause instanceof dev.stamp.runtime.StampException se) {
        throw BuildException.wrap("build", se);
      }
      throw BuildException.failed("build: " + cause, cause);
    }
  }

  private static Instructions parse(BuildRequest request) throws BuildException {
    Path file = request.dockerfile();
    dev.stamp.builder.context.ContextPaths.checkInside(request.contextDir(), file, "build:");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw BuildException.notFound("build: no Dockerfile at " + file);
    } catch (IOException e) {
      throw BuildException.failed("build: read " + file + ": " + e.getMessage(), e);
    }
    Dockerfile dockerfile = DockerfileParser.parse(file.getFileName().toString(), text);
    return dockerfile.instructions();
  }

  private static Map<String, String> envOf(Image image) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    List<String> list = image.config().runConfig().env();
    if (list != null) {
      for (String entry : list) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
          env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
      }
    }
    return env;
  }

  private Image commit(Snapshot result, BuildRequest request) throws HostRuntimeException {
    ContainerConfig config = result.config();
    if (!request.labels().isEmpty()) {
      ContainerConfig.Builder b = config.toBuilder();
      request.labels().forEach(b::label);
      config = b.build();
    }
    ImageConfig imageConfig =
        new ImageConfig(
            created(request.sourceDateEpoch()),
            null,
            result.platform().architecture(),
            result.platform().variant(),
            result.platform().os(),
            null,
            config,
            RootFs.of(result.diffIds()),
            result.history());
    Descriptor configBlob = store.putConfig(imageConfig);
    Descriptor manifest = store.putManifest(ImageManifest.of(configBlob, result.layers()));
    for (ImageReference tag : request.tags()) {
      store.tag(tag, manifest);
    }
    ImageManifest stored = store.manifest(manifest.digest());
    return new Image(
        request.tags().isEmpty() ? null : request.tags().get(0),
        manifest.digest(),
        stored,
        configBlob.digest(),
        imageConfig,
        result.layers(),
        result.diffIds());
  }

  /**
   * The base image {@code ref}; a failure is reported at its FROM line with the resolver's kind and
   * retryability (a missing image is NOT_FOUND, not a Dockerfile error).
   */
  private static Image resolveBase(
      BaseImageResolver bases, Instructions instructions, String ref, boolean inspect)
      throws BuildException {
    try {
      return inspect ? bases.inspect(ref) : bases.resolve(ref);
    } catch (BuildException e) {
      for (dev.stamp.builder.dockerfile.Stage stage : instructions.stages()) {
        if (stage.from().image().equals(ref)) {
          throw BuildException.wrap(
              instructions.file()
                  + ":"
                  + stage.from().location().line()
                  + ":"
                  + stage.from().location().column(),
              e);
        }
      }
      throw e;
    }
  }

  /**
   * Refuses, before anything runs, a step that needs an {@link Entitlement} the request does not
   * grant ({@code RUN --network=host} without {@code --allow network.host}), at its line.
   */
  static void checkEntitlements(BuildPlan plan, BuildRequest request, String file)
      throws BuildException {
    for (ResolvedStage stage : plan.stages()) {
      for (dev.stamp.builder.dockerfile.ResolvedStep step : stage.steps()) {
        if (step.instruction() instanceof dev.stamp.builder.dockerfile.RunInstruction run
            && "host".equals(run.network())
            && !request.allows(Entitlement.NETWORK_HOST)) {
          throw new dev.stamp.builder.dockerfile.DockerfileSyntaxException(
              file,
              run.location().line(),
              run.location().column(),
              "RUN --network=host: the build host's network needs the network.host entitlement,"
                  + " which this build does not grant (allow it with stamp build --allow"
                  + " network.host, or BuildRequest.withAllow(Set.of(Entitlement.NETWORK_HOST)))");
        }
      }
    }
  }

  static String created(long epoch) {
    return Instant.ofEpochSecond(epoch).toString();
  }

  private void writeOutputs(Image image, BuildRequest request) throws BuildException {
    for (OutputSpec output : request.outputs()) {
      new OciLayoutWriter(store).write(image, request.tags(), output);
    }
  }

  /**
   * What one stage's steps work with: this build's session, the stages built so far, the stores.
   */
  private StageContext context(Session session, ResolvedStage stage, Map<Integer, Snapshot> built) {
    return new StageContext(session, stage, built, store, layers, cache, executor);
  }

  /** One build's shared state. */
  record Session(
      BuildRequest request,
      Instructions instructions,
      SourceTree context,
      Path tmp,
      Progress progress,
      BaseImageResolver bases,
      AtomicInteger steps,
      List<StepReport> reports,
      java.util.concurrent.atomic.AtomicBoolean cancelled,
      boolean planOnly) {}

  /**
   * After a failure: stages still running stop at their next step; wait for them so nothing writes
   * into the temp dirs being removed.
   */
  private static void settle(
      Session session, java.util.Collection<CompletableFuture<Snapshot>> all) {
    session.cancelled().set(true);
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
    } catch (RuntimeException e) {
      // already reported through the target's failure
    }
  }

  /** Temp dirs a killed build left behind (older than a day: no live build is that old). */
  private static void removeStaleTemps(Path tmpRoot) {
    if (!Files.isDirectory(tmpRoot)) {
      return;
    }
    java.time.Instant cutoff = Instant.now().minus(java.time.Duration.ofDays(1));
    try (java.util.stream.Stream<Path> entries = Files.list(tmpRoot)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (Files.getLastModifiedTime(entry).toInstant().isBefore(cutoff)) {
          deleteQuietly(entry);
        }
      }
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(ImageBuilder.class)
          .warn("could not list {}: {}", tmpRoot, e.toString());
    }
  }

  static void deleteQuietly(Path path) {
    try {
      if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        AtomicFiles.deleteTree(path);
      }
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(ImageBuilder.class)
          .warn("could not remove {}: {}", path, e.toString());
    }
  }
}
