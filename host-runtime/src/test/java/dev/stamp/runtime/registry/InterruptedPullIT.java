package dev.stamp.runtime.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull killed with SIGKILL halfway through a blob (a child JVM, its big layer dribbled by
 * WireMock), then pulled again: the store never holds a blob whose content does not match its
 * digest, blobs finished before the kill are kept and not fetched again, and skopeo reads the
 * result.
 */
@Timeout(120)
class InterruptedPullIT {

  @TempDir Path source;
  @TempDir Path root;

  WireMockServer wm;

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  @Test
  void aPullKilledHalfwayAndResumedLeavesAVerifiedStore() throws Exception {
    ImageStore src = ImageStore.open(new StampRoot(source));
    LocalImages.Layer small = LocalImages.layer("small", 20_000);
    LocalImages.Layer big = LocalImages.layer("big", 4 << 20);
    Descriptor m = LocalImages.put(src, Platform.of("linux", "amd64"), "killed", small, big);
    src.tag(ImageReference.parse("x.test/app:1"), m);
    Image image = src.resolve("x.test/app:1");
    String ref = "127.0.0.1:" + wm.port() + "/app:1";
    wm.stubFor(
        get(urlEqualTo("/v2/app/manifests/1"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                    .withHeader("Docker-Content-Digest", m.digest().toString())
                    .withBody(src.readBlob(m.digest()))));
    for (Descriptor blob : blobsOf(image)) {
      wm.stubFor(blobGet(blob).willReturn(aResponse().withBody(src.readBlob(blob.digest()))));
    }
    Descriptor bigBlob = big.descriptor();
    // 4 MiB in 16 pieces over 32 s: the child is killed with part of it in its temp file.
    wm.stubFor(
        blobGet(bigBlob)
            .atPriority(1)
            .willReturn(
                aResponse()
                    .withBody(src.readBlob(bigBlob.digest()))
                    .withChunkedDribbleDelay(16, 32_000)));

    Process child = startPull(ref);
    Path tmp = root.resolve("images/tmp");
    awaitPartialTempFile(
        tmp, child, root.resolve("images/blobs/sha256").resolve(small.descriptor().digest().hex()));
    child.destroyForcibly(); // SIGKILL
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);

    ImageStore store = ImageStore.open(new StampRoot(root));
    assertThat(store.hasBlob(bigBlob.digest()))
        .as("the half-written layer is not a blob")
        .isFalse();
    assertThat(store.hasBlob(small.descriptor().digest())).as("finished before the kill").isTrue();
    assertEveryBlobMatchesItsDigest();
    assertThat(store.list()).as("nothing tagged").isEmpty();

    wm.removeStub(
        wm.getStubMappings().stream()
            .filter(s -> s.getPriority() != null && s.getPriority() == 1)
            .findFirst()
            .orElseThrow());
    PullResult resumed =
        new ImagePuller(
                new Registries(
                    RegistryConfig.DEFAULT.withTimeouts(
                        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10)),
                    CredentialSource.NONE),
                store)
            .pull(ImageReference.parse(ref), TransferListener.NONE);

    assertThat(resumed.image().manifestDigest()).isEqualTo(m.digest());
    assertThat(resumed.blobs())
        .filteredOn(b -> b.blob().digest().equals(small.descriptor().digest()))
        .extracting(BlobTransfer::status)
        .containsExactly(TransferListener.Status.EXISTS);
    wm.verify(1, getRequestedFor(urlEqualTo("/v2/app/blobs/" + small.descriptor().digest())));
    wm.verify(2, getRequestedFor(urlEqualTo("/v2/app/blobs/" + bigBlob.digest())));
    assertEveryBlobMatchesItsDigest();
    for (Descriptor blob : blobsOf(image)) {
      assertThat(store.readBlob(blob.digest())).isEqualTo(src.readBlob(blob.digest()));
    }
    if (Files.isExecutable(SkopeoInteropIT.SKOPEO)) {
      String inspected =
          SkopeoInteropIT.skopeo("inspect", "oci:" + root.resolve("images") + ":" + ref);
      assertThat(inspected).contains(m.digest().toString());
    }
  }

  private static List<Descriptor> blobsOf(Image image) {
    List<Descriptor> blobs = new ArrayList<>(image.layers());
    blobs.add(image.manifest().config());
    return blobs;
  }

  private static com.github.tomakehurst.wiremock.client.MappingBuilder blobGet(Descriptor blob) {
    return get(urlEqualTo("/v2/app/blobs/" + blob.digest()));
  }

  private Process startPull(String ref) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            PullProcess.class.getName(),
            root.toString(),
            ref)
        .redirectErrorStream(true)
        .redirectOutput(root.resolveSibling(root.getFileName() + "-child.log").toFile())
        .start();
  }

  /** Waits until {@code finished} is stored and a temp file in {@code tmp} holds some bytes. */
  private static void awaitPartialTempFile(Path tmp, Process child, Path finished)
      throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      assertThat(child.isAlive()).as("the child pull is still running").isTrue();
      if (Files.isDirectory(tmp) && Files.exists(finished)) {
        try (Stream<Path> files = Files.list(tmp)) {
          if (files.anyMatch(f -> f.toFile().length() > 0)) {
            return;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no partial temp file appeared in " + tmp);
  }

  /** Every file in blobs/sha256 hashes to its name (what a reader of the layout trusts). */
  private void assertEveryBlobMatchesItsDigest() throws Exception {
    try (Stream<Path> files = Files.list(root.resolve("images/blobs/sha256"))) {
      for (Path file : files.toList()) {
        assertThat(Digest.of(Files.readAllBytes(file)).hex())
            .as("content of " + file.getFileName())
            .isEqualTo(file.getFileName().toString());
      }
    }
  }
}
