package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.registry.ImagePuller;
import dev.stamp.runtime.registry.ImagePusher;
import dev.stamp.runtime.registry.PushResult;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.RegistryConfig;
import dev.stamp.runtime.registry.TransferListener;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RegistryFixture;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FROM through a real registry on 127.0.0.1: pull on miss, --pull, and a docker.io mirror. */
@RequiresRoot
@org.junit.jupiter.api.Timeout(300)
class BuildFromRegistryIT {

  static RegistryFixture registry;

  @TempDir Path tmp;

  @BeforeAll
  static void startRegistry() {
    if (RegistryFixture.available()) {
      registry = RegistryFixture.start();
    }
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void tools() {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
    org.junit.jupiter.api.Assumptions.assumeTrue(registry != null, "docker-registry");
  }

  /**
   * Builds samples/base in a root of its own and pushes it as {@code ref}; the digest pushed (its
   * layers gzip-compressed: the local store keeps them as plain tars).
   */
  private Digest pushBase(String ref, String extraPasswd) throws Exception {
    return pushBaseBuilt(ref, extraPasswd).digest();
  }

  private PushResult pushBaseBuilt(String ref, String extraPasswd) throws Exception {
    StampRoot source = new StampRoot(Files.createTempDirectory(tmp, "source-root"));
    BuildResult base =
        ImageBuilderIT.buildSampleBase(
            source, Files.createTempDirectory(tmp, "base-ctx").resolve("ctx"), extraPasswd);
    assertThat(base.image().layers())
        .extracting(Descriptor::mediaType)
        .containsOnly(MediaType.OCI_LAYER_TAR);
    assertThat(base.image().layers())
        .extracting(Descriptor::digest)
        .isEqualTo(base.image().diffIds());
    ImageStore store = ImageStore.open(source);
    store.tag(ImageBuilderIT.BASE, ImageReference.parse(ref));
    return new ImagePusher(Registries.open(source, Map.of()), store)
        .push(ImageReference.parse(ref), TransferListener.NONE);
  }

  @Test
  void aBuiltImagePushedFromTwoFreshRootsHasOneDigestAndPullsBackAsBuilt() throws Exception {
    String one = registry.host() + "/repro-" + System.nanoTime() + ":1";
    String two = registry.host() + "/repro-" + System.nanoTime() + ":2";
    PushResult first = pushBaseBuilt(one, "");
    PushResult second = pushBaseBuilt(two, "");
    assertThat(second.digest()).isEqualTo(first.digest());

    StampRoot fresh = new StampRoot(tmp.resolve("pull-back"));
    ImageStore store = ImageStore.open(fresh);
    Image pulled =
        new ImagePuller(Registries.open(fresh, Map.of()), store)
            .pull(ImageReference.parse(one), TransferListener.NONE)
            .image();
    assertThat(pulled.manifestDigest()).isEqualTo(first.digest());
    assertThat(pulled.layers())
        .extracting(Descriptor::mediaType)
        .containsOnly(MediaType.OCI_LAYER_TAR_GZIP);
    StampRoot built = new StampRoot(tmp.resolve("built-again"));
    Image local = ImageBuilderIT.buildSampleBase(built, tmp.resolve("again-ctx"), "").image();
    assertThat(pulled.id()).isEqualTo(local.id());
    assertThat(pulled.diffIds()).isEqualTo(local.diffIds());
    // what a container gets from the pulled image is what the built one unpacks to
    LayerStore layers = LayerStore.open(fresh, store);
    LayerStore builtLayers = LayerStore.open(built, ImageStore.open(built));
    for (int i = 0; i < pulled.layers().size(); i++) {
      Path a = layers.ensure(pulled.layers().get(i), pulled.diffIds().get(i));
      Path b = builtLayers.path(local.diffIds().get(i));
      assertThat(listing(a)).isEqualTo(listing(b));
    }
  }

  private static List<String> listing(Path dir) throws Exception {
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      List<String> out = new java.util.ArrayList<>();
      for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
        out.add(
            dir.relativize(p)
                + " "
                + (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? Files.size(p) + " " + java.util.Arrays.hashCode(Files.readAllBytes(p))
                    : Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p) : "dir"));
      }
      return out;
    }
  }

  private Path context(String dockerfile) throws Exception {
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  private static boolean runCached(BuildResult r) {
    return r.steps().stream().filter(s -> s.text().startsWith("RUN")).allMatch(StepReport::cached);
  }

  @Test
  void fromALocalRegistryIntoAFreshRootAndPullReResolves() throws Exception {
    String ref = registry.host() + "/base-" + System.nanoTime() + ":1";
    Digest first = pushBase(ref, "");
    StampRoot fresh = new StampRoot(tmp.resolve("fresh"));
    Path ctx = context("FROM " + ref + "\nRUN echo built-on-pulled > /hi\n");

    BuildResult built = ImageBuilder.open(fresh).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(ImageStore.open(fresh).resolve(ref).manifestDigest()).isEqualTo(first);
    assertThat(built.image().diffIds()).hasSize(5);
    long manifestGets = registry.count("GET", "/v2/.*/manifests/.*");

    BuildResult again = ImageBuilder.open(fresh).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(runCached(again)).isTrue();
    assertThat(registry.count("GET", "/v2/.*/manifests/.*"))
        .as("a base in the store is not pulled again")
        .isEqualTo(manifestGets);

    Digest second = pushBase(ref, "extra:x:2000:2000::/:/bin/sh\n");
    assertThat(second).isNotEqualTo(first);
    BuildResult stale = ImageBuilder.open(fresh).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(runCached(stale)).as("without --pull the local base is used").isTrue();

    BuildResult pulled =
        ImageBuilder.open(fresh).build(BuildRequest.of(ctx).withPull(true), Progress.NONE);
    assertThat(ImageStore.open(fresh).resolve(ref).manifestDigest()).isEqualTo(second);
    assertThat(runCached(pulled)).as("the new base digest misses the cache").isFalse();
    assertThat(pulled.manifestDigest()).isNotEqualTo(again.manifestDigest());
  }

  @Test
  void fromBusyboxServedByTheLocalRegistryAsADockerHubMirror() throws Exception {
    Digest base = pushBase(registry.host() + "/library/busybox:1.36", "");
    StampRoot fresh = new StampRoot(tmp.resolve("mirrored"));
    Files.createDirectories(fresh.path().resolve("config"));
    Files.writeString(
        fresh.path().resolve(RegistryConfig.FILE),
        "{\"mirrors\": {\"docker.io\": [\"" + registry.url() + "\"]}}");
    Path ctx = context("FROM busybox:1.36\nRUN echo via-mirror > /m\n");
    BuildResult built =
        ImageBuilder.open(fresh)
            .build(
                BuildRequest.of(ctx).withTags(List.of(ImageReference.parse("mirrored:1"))),
                Progress.NONE);
    assertThat(ImageStore.open(fresh).resolve("busybox:1.36").manifestDigest()).isEqualTo(base);
    assertThat(built.steps()).anyMatch(s -> s.text().startsWith("RUN") && !s.cached());
  }

  @Test
  void aBaseImageNoRegistryHasIsNotFoundAtItsFromLineNotADockerfileError() throws Exception {
    String ref = registry.host() + "/never-pushed-" + System.nanoTime() + ":1";
    Path ctx = context("# a base nobody pushed\nFROM " + ref + "\nRUN true\n");
    StampRoot fresh = new StampRoot(tmp.resolve("fresh"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ImageBuilder.open(fresh).build(BuildRequest.of(ctx), Progress.NONE))
        .isNotInstanceOf(dev.stamp.builder.dockerfile.DockerfileSyntaxException.class)
        .hasMessageStartingWith("Dockerfile:2:1: FROM " + ref + ": ")
        .hasMessageContaining("not in the local store, and pulling it failed")
        .hasMessageContaining("MANIFEST_UNKNOWN")
        .satisfies(
            e -> {
              var se = (dev.stamp.runtime.StampException) e;
              assertThat(se.kind()).isEqualTo(dev.stamp.runtime.StampException.Kind.NOT_FOUND);
              assertThat(se.retryable()).isFalse();
            });
  }

  @Test
  void aPlanInAFreshRootReadsTheRegistrysManifestButPullsNoLayer() throws Exception {
    String ref = registry.host() + "/plan-base-" + System.nanoTime() + ":1";
    pushBase(ref, "");
    StampRoot fresh = new StampRoot(tmp.resolve("fresh"));
    Path ctx = context("FROM " + ref + "\nRUN echo planned > /p\n");
    long blobGets = registry.count("GET", "/v2/.*/blobs/.*");
    BuildKeys planned = ImageBuilder.open(fresh).plan(BuildRequest.of(ctx));
    assertThat(registry.count("GET", "/v2/.*/blobs/.*") - blobGets)
        .as("the config blob only")
        .isEqualTo(1);
    try (java.util.stream.Stream<Path> walk = Files.walk(fresh.path())) {
      assertThat(walk.filter(Files::isRegularFile).map(p -> fresh.path().relativize(p).toString()))
          .as("no layer blob or unpacked layer")
          .noneMatch(p -> p.startsWith("layers/sha256/"))
          .filteredOn(p -> p.startsWith("images/blobs/"))
          .hasSize(1);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageStore.open(fresh).resolve(ref))
        .as("nothing is tagged")
        .isInstanceOf(dev.stamp.runtime.HostRuntimeException.class)
        .hasMessage("no such image: " + ref)
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);

    BuildResult built = ImageBuilder.open(fresh).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(built.cacheKey()).isEqualTo(planned.cacheKey());
  }
}
