package dev.stamp.controller.images;

import dev.stamp.builder.engine.BuildKeys;
import dev.stamp.builder.engine.BuildRequest;
import dev.stamp.builder.engine.BuildResult;
import dev.stamp.builder.engine.ImageBuilder;
import dev.stamp.builder.engine.Progress;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.git.TreeSnapshot;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides and produces the images of one app at one commit.
 *
 * <p>Two keys guard every build. The <b>source key</b> hashes what the commit's tree says without
 * reading a file: the Git tree id of the context (a content hash of every file in it, {@code
 * .dockerignore} included), the Dockerfile's blob id, the build args, the target, and the digest
 * each literal {@code FROM} image has in the store. Equal source keys mean equal inputs, so a
 * revert, or a commit that touched another service, reuses the image in milliseconds. When the
 * source key is new, the context is exported from the tree and image-builder computes the
 * <b>content key</b> ({@link ImageBuilder#plan}: only the files the Dockerfile can see after {@code
 * .dockerignore}); an equal content key reuses that image too (a README edit rebuilds nothing).
 * Only then is the image built, with {@code SOURCE_DATE_EPOCH} 0 (so unchanged steps hit the layer
 * cache whatever the commit) and the OCI labels {@code org.opencontainers.image.revision} and
 * {@code .source}. Every image is tagged {@code app/service:shortcommit}, the name agents pull.
 */
public final class ImagePlanner {

  private static final Logger LOG = LoggerFactory.getLogger(ImagePlanner.class);
  private static final Pattern FROM =
      Pattern.compile(
          "^\\s*FROM\\s+(?:--\\S+\\s+)*(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*$",
          Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

  private final ImageBuilder builder;
  private final ImageStore store;
  private final BuildCatalog catalog;
  private final Path tmpRoot;
  private final int parallel;
  private final String sourceUrl;
  private final Clock clock;
  private final boolean keepCompressed;

  /**
   * @param tmpRoot where contexts are exported while building (removed afterwards)
   * @param parallel how many services build at once
   * @param sourceUrl the repository's URL for the {@code org.opencontainers.image.source} label
   *     (without credentials)
   */
  public ImagePlanner(
      ImageBuilder builder,
      BuildCatalog catalog,
      Path tmpRoot,
      int parallel,
      String sourceUrl,
      Clock clock) {
    this(builder, catalog, tmpRoot, parallel, sourceUrl, clock, false);
  }

  /**
   * @param keepCompressed keep built layers gzip-compressed in the store, so an image's digest in
   *     the store is the digest a push to a registry gives (images.distribution: registry: the
   *     release records what the hosts pull); otherwise layers stay plain tars, as the embedded
   *     endpoint serves them
   */
  public ImagePlanner(
      ImageBuilder builder,
      BuildCatalog catalog,
      Path tmpRoot,
      int parallel,
      String sourceUrl,
      Clock clock,
      boolean keepCompressed) {
    if (parallel < 1) {
      throw new IllegalArgumentException("parallel builds: at least 1, got " + parallel);
    }
    this.keepCompressed = keepCompressed;
    this.builder = builder;
    this.store = builder.store();
    this.catalog = catalog;
    this.tmpRoot = tmpRoot;
    this.parallel = parallel;
    this.sourceUrl = sourceUrl;
    this.clock = clock;
  }

  /** The name agents pull a service's image under: {@code app/service:shortcommit}. */
  public static ImageReference reference(String app, String service, String shortCommit)
      throws ControllerException {
    try {
      return ImageReference.parse(app + "/" + service + ":" + shortCommit);
    } catch (HostRuntimeException e) {
      throw ControllerException.badInput(
          "app "
              + app
              + ", service "
              + service
              + ": not usable as an image name: "
              + e.getMessage());
    }
  }

  /** The source key of {@code in} at {@code tree} (no file is read but the Dockerfile). */
  public String sourceKey(TreeSnapshot tree, BuildInputs in) throws ControllerException {
    String where = "app " + in.app() + ", service " + in.service();
    String contextTree =
        tree.treeId(in.context())
            .orElseThrow(
                () ->
                    ControllerException.badInput(
                        where
                            + ": build context '"
                            + (in.context().isEmpty() ? "." : in.context())
                            + "' is not a directory at commit "
                            + tree.commit().shortId()));
    String dockerfileBlob =
        tree.blobId(in.dockerfile())
            .orElseThrow(
                () ->
                    ControllerException.badInput(
                        where
                            + ": Dockerfile "
                            + in.dockerfile()
                            + " does not exist at commit "
                            + tree.commit().shortId()));
    byte[] dockerfile = tree.read(in.dockerfile()).orElse(new byte[0]);
    StringBuilder text = new StringBuilder("stamp-source-key v1\n");
    if (keepCompressed) {
      // the same inputs kept compressed are another image (other layer blobs, another digest)
      text.append("layers gzip\n");
    }
    text.append("context ").append(contextTree).append('\n');
    text.append("dockerfile ").append(dockerfileBlob).append('\n');
    in.args().forEach((k, v) -> text.append("arg ").append(k).append('=').append(v).append('\n'));
    in.target().ifPresent(t -> text.append("target ").append(t).append('\n'));
    for (String base : literalBases(new String(dockerfile, StandardCharsets.UTF_8))) {
      text.append("base ").append(base).append(' ').append(storeDigest(base)).append('\n');
    }
    return "src:" + sha256(text.toString());
  }

  /** What {@link #ensure} would do for each build, without exporting or building anything. */
  public List<ImageDecision> plan(TreeSnapshot tree, List<BuildInputs> builds)
      throws ControllerException {
    List<ImageDecision> out = new ArrayList<>();
    for (BuildInputs in : builds) {
      String key = sourceKey(tree, in);
      Optional<CatalogEntry> known = usable(catalog.find(key));
      if (known.isPresent()) {
        out.add(
            new ImageDecision(
                in.service(),
                ImageDecision.Action.REUSE,
                key,
                "inputs equal those of " + known.get().reference(),
                Optional.of(known.get().digest())));
      } else {
        out.add(
            new ImageDecision(
                in.service(),
                ImageDecision.Action.BUILD,
                key,
                "no image was built from these inputs (context, Dockerfile, args, base)",
                Optional.empty()));
      }
    }
    return out;
  }

  /**
   * The images of {@code builds} at {@code tree}: reused where a key is known, built otherwise (up
   * to {@code parallel} at once; two services with equal inputs build once), each tagged {@code
   * app/service:shortcommit}. The first failure is thrown after the others settle, naming the
   * service and what failed; images built before it stay in the catalogue.
   */
  public Map<String, ServiceImage> ensure(
      TreeSnapshot tree, List<BuildInputs> builds, Progress progress) throws ControllerException {
    Map<String, CompletableFuture<ServiceImage>> byService = new LinkedHashMap<>();
    Map<String, CompletableFuture<ServiceImage>> byKey = new ConcurrentHashMap<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            parallel,
            r -> {
              Thread t = new Thread(r, "stamp-controller-build");
              t.setDaemon(true);
              return t;
            });
    try {
      for (BuildInputs in : builds) {
        String key = sourceKey(tree, in);
        CompletableFuture<ServiceImage> first =
            byKey.computeIfAbsent(
                key,
                k ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          try {
                            return obtain(tree, in, k, progress);
                          } catch (ControllerException e) {
                            throw new CompletionException(e);
                          }
                        },
                        pool));
        byService.put(
            in.service(),
            first.thenApply(
                img -> {
                  try {
                    return img.service().equals(in.service()) ? img : retag(tree, in, img);
                  } catch (ControllerException e) {
                    throw new CompletionException(e);
                  }
                }));
      }
      Map<String, ServiceImage> out = new LinkedHashMap<>();
      ControllerException failure = null;
      for (Map.Entry<String, CompletableFuture<ServiceImage>> e : byService.entrySet()) {
        try {
          out.put(e.getKey(), e.getValue().join());
        } catch (CompletionException ce) {
          if (failure == null) {
            failure = asControllerException(ce.getCause(), e.getKey());
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The image {@code image:} names for a service that builds nothing: from the store, else pulled
   * by the caller beforehand; tagged {@code app/service:shortcommit} like a built one.
   */
  public ServiceImage named(TreeSnapshot tree, String app, String service, String image)
      throws ControllerException {
    Instant start = clock.instant();
    try {
      Image found = store.resolve(image);
      ImageReference ref = reference(app, service, tree.commit().shortId());
      store.tag(found.manifestDigest().toString(), ref);
      return new ServiceImage(
          service,
          ref.toString(),
          found.manifestDigest().toString(),
          ImageDecision.Action.PULL,
          "image:" + image,
          Duration.between(start, clock.instant()));
    } catch (HostRuntimeException e) {
      throw new ControllerException("app " + app + ", service " + service + ": image " + image, e);
    }
  }

  /** The digest {@code image} has in the store, if it is there. */
  public Optional<String> known(String image) {
    try {
      return Optional.of(store.resolve(image).manifestDigest().toString());
    } catch (HostRuntimeException e) {
      return Optional.empty();
    }
  }

  private ServiceImage obtain(
      TreeSnapshot tree, BuildInputs in, String sourceKey, Progress progress)
      throws ControllerException {
    Instant start = clock.instant();
    Optional<CatalogEntry> known = usable(catalog.find(sourceKey));
    if (known.isPresent()) {
      return tagged(tree, in, known.get(), ImageDecision.Action.REUSE, sourceKey, start);
    }
    String where =
        "app "
            + in.app()
            + ", service "
            + in.service()
            + ": build "
            + in.dockerfile()
            + " at commit "
            + tree.commit().shortId();
    Path dir;
    try {
      Files.createDirectories(tmpRoot);
      dir = Files.createTempDirectory(tmpRoot, "build-");
    } catch (IOException e) {
      throw ControllerException.failed(where + ": make a temp dir under " + tmpRoot, e);
    }
    try {
      BuildRequest request = request(tree, in, dir);
      BuildKeys keys = builder.plan(request);
      String contentKey = "content:" + keys.cacheKey();
      Optional<CatalogEntry> same = usable(catalog.find(contentKey));
      if (same.isPresent()) {
        catalog.record(same.get().withKey(sourceKey));
        return tagged(tree, in, same.get(), ImageDecision.Action.REUSE, contentKey, start);
      }
      LOG.info("{}: building (no image from these inputs yet)", where);
      BuildResult result = builder.build(request, progress);
      Duration took = Duration.between(start, clock.instant());
      CatalogEntry entry =
          new CatalogEntry(
              contentKey,
              in.app(),
              in.service(),
              request.tags().get(0).toString(),
              result.manifestDigest().toString(),
              tree.commit().id(),
              clock.instant(),
              took);
      catalog.record(entry);
      catalog.record(entry.withKey(sourceKey));
      LOG.info(
          "{}: built {} in {} ms ({} of {} steps cached)",
          where,
          entry.digest(),
          took.toMillis(),
          result.cachedSteps(),
          result.steps().size());
      return new ServiceImage(
          in.service(),
          entry.reference(),
          entry.digest(),
          ImageDecision.Action.BUILD,
          contentKey,
          took);
    } catch (StampException e) {
      throw e instanceof ControllerException ce ? ce : new ControllerException(where, e);
    } finally {
      deleteTree(dir);
    }
  }

  private BuildRequest request(TreeSnapshot tree, BuildInputs in, Path dir)
      throws ControllerException {
    Path context = dir.resolve("context");
    Path dockerfileDir = dir.resolve("dockerfile");
    try {
      Files.createDirectories(context);
      Files.createDirectories(dockerfileDir);
      tree.export(in.context(), context);
      String name = Path.of(in.dockerfile()).getFileName().toString();
      Path dockerfile = dockerfileDir.resolve(name);
      Files.write(dockerfile, tree.read(in.dockerfile()).orElse(new byte[0]));
      Optional<byte[]> ignore = tree.read(in.dockerfile() + ".dockerignore");
      if (ignore.isPresent()) {
        Files.write(dockerfileDir.resolve(name + ".dockerignore"), ignore.get());
      }
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("org.opencontainers.image.revision", tree.commit().id());
      if (sourceUrl != null && !sourceUrl.isBlank()) {
        labels.put("org.opencontainers.image.source", sourceUrl);
      }
      BuildRequest request =
          BuildRequest.of(context)
              .withDockerfile(dockerfile)
              .withBuildArgs(in.args())
              .withTags(List.of(reference(in.app(), in.service(), tree.commit().shortId())))
              .withLabels(labels)
              .withSourceDateEpoch(0)
              .withKeepCompressed(keepCompressed);
      return in.target().isPresent() ? request.withTarget(in.target().get()) : request;
    } catch (IOException e) {
      throw ControllerException.failed(
          "app " + in.app() + ", service " + in.service() + ": export the build context", e);
    }
  }

  private ServiceImage tagged(
      TreeSnapshot tree,
      BuildInputs in,
      CatalogEntry entry,
      ImageDecision.Action action,
      String key,
      Instant start)
      throws ControllerException {
    ImageReference ref = reference(in.app(), in.service(), tree.commit().shortId());
    try {
      store.tag(entry.digest(), ref);
    } catch (HostRuntimeException e) {
      throw new ControllerException(
          "app " + in.app() + ", service " + in.service() + ": tag " + ref, e);
    }
    return new ServiceImage(
        in.service(),
        ref.toString(),
        entry.digest(),
        action,
        key,
        Duration.between(start, clock.instant()));
  }

  private ServiceImage retag(TreeSnapshot tree, BuildInputs in, ServiceImage built)
      throws ControllerException {
    ImageReference ref = reference(in.app(), in.service(), tree.commit().shortId());
    try {
      store.tag(built.digest(), ref);
    } catch (HostRuntimeException e) {
      throw new ControllerException(
          "app " + in.app() + ", service " + in.service() + ": tag " + ref, e);
    }
    return new ServiceImage(
        in.service(), ref.toString(), built.digest(), built.action(), built.key(), built.took());
  }

  /** A catalogue entry whose image is still in the store (garbage collection may have taken it). */
  private Optional<CatalogEntry> usable(Optional<CatalogEntry> entry) {
    if (entry.isEmpty()) {
      return entry;
    }
    try {
      store.resolve(entry.get().digest());
      return entry;
    } catch (HostRuntimeException e) {
      LOG.info(
          "image {} of build key {} is gone from the store; building again",
          entry.get().digest(),
          entry.get().key());
      return Optional.empty();
    }
  }

  private String storeDigest(String base) {
    if (base.contains("$")) {
      return "variable";
    }
    try {
      return store.resolve(base).manifestDigest().toString();
    } catch (HostRuntimeException e) {
      return "absent";
    }
  }

  /** The image references of {@code FROM} lines, skipping {@code scratch} and earlier stages. */
  static List<String> literalBases(String dockerfile) {
    List<String> out = new ArrayList<>();
    Set<String> stages = new HashSet<>();
    Matcher m = FROM.matcher(dockerfile);
    while (m.find()) {
      String ref = m.group(1);
      String lower = ref.toLowerCase(Locale.ROOT);
      if (!lower.equals("scratch") && !stages.contains(lower)) {
        out.add(ref);
      }
      if (m.group(2) != null) {
        stages.add(m.group(2).toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  private static ControllerException asControllerException(Throwable t, String service) {
    if (t instanceof ControllerException ce) {
      return ce;
    }
    if (t instanceof StampException se) {
      return new ControllerException("service " + service, se);
    }
    return ControllerException.failed("service " + service + ": " + t, t);
  }

  private static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  LOG.debug("delete {}: {}", p, e.getMessage());
                }
              });
    } catch (IOException e) {
      LOG.debug("delete {}: {}", dir, e.getMessage());
    }
  }
}
