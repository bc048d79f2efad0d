package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import dev.stamp.runtime.registry.TransferListener.Status;
import dev.stamp.testkit.RegistryFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stamp against a real registry (Debian's docker-registry on 127.0.0.1). */
@org.junit.jupiter.api.Timeout(120)
class RegistryIT extends RealRegistryTest {

  @TempDir Path rootA;
  @TempDir Path rootB;

  static RegistryConfig fastConfig() {
    return RegistryConfig.DEFAULT.withRetry(
        new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50)));
  }

  static Registries registries() {
    return new Registries(fastConfig(), CredentialSource.NONE);
  }

  static ImageStore store(Path root) throws HostRuntimeException {
    return ImageStore.open(new StampRoot(root));
  }

  static PushResult push(ImageStore store, String ref) throws HostRuntimeException {
    return new ImagePusher(registries(), store)
        .push(ImageReference.parse(ref), TransferListener.NONE);
  }

  static PullResult pull(ImageStore store, String ref) throws HostRuntimeException {
    return new ImagePuller(registries(), store)
        .pull(ImageReference.parse(ref), TransferListener.NONE);
  }

  @Test
  void pushedImageIsPulledIntoAFreshRootWithTheSameDigestAndConfig() throws Exception {
    ImageStore a = store(rootA);
    Descriptor local = LocalImages.tagged(a, ref("app:1"), "app-1", 20_000);
    List<String> progress = new ArrayList<>();
    PushResult pushed =
        new ImagePusher(registries(), a)
            .push(ImageReference.parse(ref("app:1")), (b, s) -> progress.add(s.word()));
    assertThat(pushed.digest()).isEqualTo(local.digest());
    assertThat(progress).containsExactly("pushed", "pushed");

    ImageStore b = store(rootB);
    PullResult pulled = pull(b, ref("app:1"));
    Image original = a.resolve(ref("app:1"));
    assertThat(pulled.remoteDigest()).isEqualTo(local.digest());
    assertThat(pulled.image().manifestDigest()).isEqualTo(local.digest());
    assertThat(pulled.image().configDigest()).isEqualTo(original.configDigest());
    assertThat(pulled.image().config()).isEqualTo(original.config());
    assertThat(b.resolve(ref("app:1")).layers()).isEqualTo(original.layers());
    assertThat(pulled.blobsPulled()).isEqualTo(2);
    for (Descriptor layer : original.layers()) {
      assertThat(b.readBlob(layer.digest())).isEqualTo(a.readBlob(layer.digest()));
    }
  }

  @Test
  void secondPullFetchesNoBlobAndASharedBaseLayerIsNotFetchedAgain() throws Exception {
    ImageStore a = store(rootA);
    LocalImages.Layer base = LocalImages.layer("base", 30_000);
    Platform amd64 = Platform.of("linux", "amd64");
    a.tag(ImageReference.parse(ref("base:1")), LocalImages.put(a, amd64, "base", base));
    a.tag(
        ImageReference.parse(ref("derived:1")),
        LocalImages.put(a, amd64, "derived", base, LocalImages.layer("top", 1000)));
    push(a, ref("base:1"));
    push(a, ref("derived:1"));

    ImageStore b = store(rootB);
    assertThat(pull(b, ref("base:1")).blobsPulled()).isEqualTo(2);
    long blobGets = registry.count("GET", "/v2/(base|derived)/blobs/");
    PullResult again = pull(b, ref("base:1"));
    assertThat(again.blobs()).extracting(BlobTransfer::status).containsOnly(Status.EXISTS);
    assertThat(registry.count("GET", "/v2/(base|derived)/blobs/")).isEqualTo(blobGets);

    PullResult derived = pull(b, ref("derived:1"));
    assertThat(derived.blobs())
        .extracting(t -> t.blob().digest(), BlobTransfer::status)
        .contains(org.assertj.core.groups.Tuple.tuple(base.descriptor().digest(), Status.EXISTS));
    assertThat(derived.blobsPulled()).isEqualTo(2); // its config and its top layer
    assertThat(registry.count("GET", "/v2/derived/blobs/" + base.descriptor().digest())).isZero();
  }

  @Test
  void parallelPushesOfTwoImagesSharingLayersUploadEachSharedBlobOnce() throws Exception {
    ImageStore a = store(rootA);
    Platform amd64 = Platform.of("linux", "amd64");
    LocalImages.Layer shared1 = LocalImages.layer("shared-1", 400_000);
    LocalImages.Layer shared2 = LocalImages.layer("shared-2", 300_000);
    a.tag(
        ImageReference.parse(ref("par-a:1")),
        LocalImages.put(a, amd64, "a", shared1, shared2, LocalImages.layer("only-a", 2000)));
    a.tag(
        ImageReference.parse(ref("par-b:1")),
        LocalImages.put(a, amd64, "b", shared1, shared2, LocalImages.layer("only-b", 2000)));
    pushInParallel(a, ref("par-a:1"), ref("par-b:1"));
    assertEachUploadedOnce(
        registry,
        List.of(shared1.descriptor().digest(), shared2.descriptor().digest()),
        "par-[ab]");
    for (String name : List.of("par-a:1", "par-b:1")) {
      assertThat(pull(store(rootB), ref(name)).image().layers()).hasSize(3);
    }
  }

  /** Pushes {@code refs} from {@code store} at the same moment, through one {@link Registries}. */
  static List<PushResult> pushInParallel(ImageStore store, String... refs) throws Exception {
    Registries shared = registries();
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(refs.length);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(refs.length);
    try {
      List<java.util.concurrent.Future<PushResult>> pushes = new ArrayList<>();
      for (String name : refs) {
        pushes.add(
            pool.submit(
                () -> {
                  start.await();
                  return new ImagePusher(shared, store)
                      .push(ImageReference.parse(name), TransferListener.NONE);
                }));
      }
      List<PushResult> results = new ArrayList<>();
      for (java.util.concurrent.Future<PushResult> push : pushes) {
        results.add(push.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Each of {@code shared} was uploaded to {@code registry} once, and one upload session was opened
   * per distinct blob of two three-layer images in the repositories {@code repos} matches (2
   * shared, 2 own layers, 2 configs).
   */
  static void assertEachUploadedOnce(RegistryFixture registry, List<Digest> shared, String repos) {
    List<RegistryFixture.Request> requests = registry.requests();
    for (Digest blob : shared) {
      assertThat(requests)
          .as("uploads of shared blob %s", blob)
          .filteredOn(r -> r.method().equals("PUT") && r.path().contains(blob.hex()))
          .hasSize(1);
    }
    assertThat(requests)
        .as("upload sessions opened (one per distinct blob: 2 shared, 2 own layers, 2 configs)")
        .filteredOn(
            r ->
                r.method().equals("POST")
                    && r.path().matches("/v2/" + repos + "/blobs/uploads/.*")
                    && r.status() == 202)
        .hasSize(6);
  }

  @Test
  void pushToASecondRepositoryMountsTheBlobsAndExistingOnesAreSkipped() throws Exception {
    ImageStore a = store(rootA);
    Descriptor m = LocalImages.tagged(a, ref("first:1"), "mount", 10_000);
    push(a, ref("first:1"));
    a.tag(ImageReference.parse(ref("second:1")), m);

    List<Status> statuses = new ArrayList<>();
    PushResult second =
        new ImagePusher(registries(), a)
            .push(ImageReference.parse(ref("second:1")), (b, s) -> statuses.add(s));
    assertThat(statuses).containsExactly(Status.MOUNTED, Status.MOUNTED);
    assertThat(registry.requests())
        .filteredOn(
            r -> r.method().equals("POST") && r.path().contains("/v2/second/blobs/uploads/?mount="))
        .extracting(RegistryFixture.Request::status)
        .containsExactly(201, 201);
    assertThat(second.digest()).isEqualTo(m.digest());

    PushResult again = push(a, ref("second:1"));
    assertThat(again.blobs()).extracting(BlobTransfer::status).containsOnly(Status.EXISTS);
    assertThat(pull(store(rootB), ref("second:1")).image().manifestDigest()).isEqualTo(m.digest());
  }

  @Test
  void mountFromARepositoryWithoutTheBlobFallsBackToAnUpload() throws Exception {
    ImageStore a = store(rootA);
    Descriptor m = LocalImages.tagged(a, ref("never-pushed:1"), "fallback", 5_000);
    a.tag(ImageReference.parse(ref("target:1")), m);
    PushResult pushed = push(a, ref("target:1"));
    assertThat(pushed.blobs()).extracting(BlobTransfer::status).containsOnly(Status.PUSHED);
    assertThat(registry.requests())
        .filteredOn(
            r -> r.method().equals("POST") && r.path().contains("/v2/target/blobs/uploads/?mount="))
        .extracting(RegistryFixture.Request::status)
        .containsExactly(202, 202);
    assertThat(pull(store(rootB), ref("target:1")).image().manifestDigest()).isEqualTo(m.digest());
  }

  @Test
  void blobsLargerThanTheChunkSizeAreUploadedInChunks() throws Exception {
    ImageStore a = store(rootA);
    Descriptor m = LocalImages.tagged(a, ref("chunked:1"), "chunked", 300_000);
    Registries small =
        new Registries(fastConfig().withUploadChunkBytes(64 * 1024), CredentialSource.NONE);
    long layerSize = a.manifest(m.digest()).layers().get(0).size();
    new ImagePusher(small, a).push(ImageReference.parse(ref("chunked:1")), TransferListener.NONE);
    assertThat(registry.count("PATCH", "/v2/chunked/blobs/uploads/"))
        .isEqualTo((layerSize + 65535) / 65536);
    PullResult pulled = pull(store(rootB), ref("chunked:1"));
    assertThat(pulled.image().manifestDigest()).isEqualTo(m.digest());
  }

  @Test
  void multiPlatformIndexIsPushedWholeAndPullPicksAmd64() throws Exception {
    ImageStore a = store(rootA);
    LocalImages.Layer amdLayer = LocalImages.layer("amd64-only", 4000);
    LocalImages.Layer armLayer = LocalImages.layer("arm64-only", 4000);
    Descriptor amd = LocalImages.put(a, Platform.of("linux", "amd64"), "amd", amdLayer);
    Descriptor arm =
        LocalImages.put(a, new Platform("arm64", "linux", null, null, "v8"), "arm", armLayer);
    Descriptor index =
        LocalImages.taggedIndex(
            a,
            ref("multi:1"),
            List.of(
                arm.withPlatform(new Platform("arm64", "linux", null, null, "v8")),
                amd.withPlatform(Platform.of("linux", "amd64"))));
    PushResult pushed = push(a, ref("multi:1"));
    assertThat(pushed.digest()).isEqualTo(index.digest());

    ImageStore b = store(rootB);
    PullResult pulled =
        new ImagePuller(registries(), b, Platform.of("linux", "amd64"))
            .pull(ImageReference.parse(ref("multi:1")), TransferListener.NONE);
    assertThat(pulled.remoteDigest()).isEqualTo(index.digest());
    assertThat(pulled.image().manifestDigest()).isEqualTo(amd.digest());
    assertThat(pulled.image().config().architecture()).isEqualTo("amd64");
    assertThat(b.hasBlob(amdLayer.descriptor().digest())).isTrue();
    assertThat(b.hasBlob(armLayer.descriptor().digest())).isFalse();
    assertThat(registry.count("GET", "/v2/multi/blobs/" + armLayer.descriptor().digest())).isZero();
  }

  @Test
  void busyboxComesThroughAMirrorThatPointsAtTheLocalRegistry() throws Exception {
    ImageStore a = store(rootA);
    Descriptor m = LocalImages.tagged(a, ref("library/busybox:1.36"), "busybox", 3000);
    push(a, ref("library/busybox:1.36"));

    Files.createDirectories(rootB.resolve("config"));
    Files.writeString(
        rootB.resolve(RegistryConfig.FILE),
        "{\"mirrors\": {\"docker.io\": [\"" + registry.url() + "\"]}}");
    ImageStore b = store(rootB);
    Registries viaMirror = Registries.open(new StampRoot(rootB), java.util.Map.of());
    PullResult pulled =
        new ImagePuller(viaMirror, b)
            .pull(ImageReference.parse("busybox:1.36"), TransferListener.NONE);
    assertThat(pulled.source()).isEqualTo(new RegistryEndpoint("http", registry.host()));
    assertThat(pulled.image().manifestDigest()).isEqualTo(m.digest());
    assertThat(b.resolve("docker.io/library/busybox:1.36").manifestDigest()).isEqualTo(m.digest());
    assertThat(b.resolve("busybox:1.36").manifestDigest()).isEqualTo(m.digest());
  }

  @Test
  void aMirrorThatIsDownIsSkippedForTheOrigin() throws Exception {
    ImageStore a = store(rootA);
    Descriptor m = LocalImages.tagged(a, ref("origin:1"), "origin", 1000);
    push(a, ref("origin:1"));
    int closedPort;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    RegistryConfig config =
        fastConfig()
            .withMirrors(
                java.util.Map.of(
                    registry.host(),
                    List.of(new RegistryEndpoint("http", "127.0.0.1:" + closedPort))));
    PullResult pulled =
        new ImagePuller(new Registries(config, CredentialSource.NONE), store(rootB))
            .pull(ImageReference.parse(ref("origin:1")), TransferListener.NONE);
    assertThat(pulled.source()).isEqualTo(new RegistryEndpoint("http", registry.host()));
    assertThat(pulled.image().manifestDigest()).isEqualTo(m.digest());
  }

  @Test
  void missingImageIsNotFoundWithTheRegistrysMessageAndLeavesTheStoreEmpty() throws Exception {
    ImageStore b = store(rootB);
    assertThatThrownBy(() -> pull(b, ref("nothing-here:1")))
        .isInstanceOf(RegistryException.class)
        .hasMessageStartingWith("pull " + ref("nothing-here:1") + ": ")
        .hasMessageContaining("UNKNOWN: ")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.NOT_FOUND));

    ImageStore a = store(rootA);
    LocalImages.tagged(a, ref("has-one:1"), "has-one", 100);
    push(a, ref("has-one:1"));
    assertThatThrownBy(() -> pull(b, ref("has-one:2")))
        .hasMessage("pull " + ref("has-one:2") + ": MANIFEST_UNKNOWN: manifest unknown")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.NOT_FOUND));
    assertThat(b.list()).isEmpty();
    assertThat(blobFiles(rootB)).isEmpty();
  }

  @Test
  void fromResolutionUsesTheStoreWhenItCanAndPullsOtherwise() throws Exception {
    ImageStore a = store(rootA);
    Descriptor m = LocalImages.tagged(a, ref("base-for-from:1"), "from", 500);
    push(a, ref("base-for-from:1"));
    ImageStore b = store(rootB);
    ImagePuller puller = new ImagePuller(registries(), b);
    ImageReference base = ImageReference.parse(ref("base-for-from:1"));

    assertThat(puller.resolveOrPull(base).manifestDigest()).isEqualTo(m.digest());
    long manifestGets = registry.count("GET", "/v2/base-for-from/manifests/");
    assertThat(puller.resolveOrPull(base).manifestDigest()).isEqualTo(m.digest());
    assertThat(registry.count("GET", "/v2/base-for-from/manifests/")).isEqualTo(manifestGets);
  }

  @Test
  void pushOfAnUntaggedNameIsNotFound() throws Exception {
    assertThatThrownBy(() -> push(store(rootA), ref("ghost:1")))
        .hasMessageContaining("push " + ref("ghost:1") + ": no such image")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.NOT_FOUND));
  }

  @Test
  void catalogAndTagsListWhatWasPushed() throws Exception {
    ImageStore a = store(rootA);
    Descriptor m = LocalImages.tagged(a, ref("listed:1"), "listed", 100);
    a.tag(ImageReference.parse(ref("listed:2")), m);
    push(a, ref("listed:1"));
    push(a, ref("listed:2"));
    Registries r = registries();
    assertThat(r.catalogClient(registry.host(), "search").listRepositories()).contains("listed");
    assertThat(r.pullClient(r.endpoint(registry.host()), "listed", "tags").listTags())
        .containsExactlyInAnyOrder("1", "2");
  }

  @Test
  void manifestOfAPulledImageIsStoredWithTheRegistrysMediaType() throws Exception {
    ImageStore a = store(rootA);
    Descriptor m = LocalImages.tagged(a, ref("mt:1"), "mt", 100);
    push(a, ref("mt:1"));
    Registries r = registries();
    PulledManifest got = r.pullClient(r.endpoint(registry.host()), "mt", "pull").pullManifest("1");
    assertThat(got.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(got.digest()).isEqualTo(m.digest());
    assertThat(Digest.of(got.bytes())).isEqualTo(m.digest());
  }

  static List<Path> blobFiles(Path root) throws Exception {
    Path blobs = root.resolve("images/blobs/sha256");
    Path tmp = root.resolve("images/tmp");
    List<Path> all = new ArrayList<>();
    for (Path dir : List.of(blobs, tmp)) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.forEach(all::add);
        }
      }
    }
    return all;
  }
}
