package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import dev.stamp.testkit.RegistryFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code stamp push} and {@code stamp pull} against a real registry on 127.0.0.1. */
@Timeout(120)
class RegistryCommandsIT {

  final StampCliInProcess cli = new StampCliInProcess(() -> null);

  static RegistryFixture registry;

  @TempDir Path rootA;
  @TempDir Path rootB;

  @BeforeAll
  static void start() {
    registry = RegistryFixture.start();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  String ref(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }

  /**
   * A one-layer image (the layer is opaque bytes: nothing unpacks it here), stored as a compressed
   * layer is (as a pull leaves it): a push sends it as it is, so the pushed digest is the stored
   * one. (A plain-tar layer is sent as its gzip twin: {@code UncompressedPushIT}.)
   */
  static Descriptor putImage(Path root, String ref, int layerSize) throws Exception {
    ImageStore store = ImageStore.open(new StampRoot(root));
    byte[] layer = new byte[layerSize];
    new Random(ref.hashCode()).nextBytes(layer);
    Descriptor layerDesc = store.putBlob(MediaType.OCI_LAYER_TAR_GZIP, layer);
    Descriptor config =
        store.putConfig(
            ImageConfig.of(
                Platform.of("linux", "amd64"),
                "1970-01-01T00:00:00Z",
                ContainerConfig.builder().cmd(List.of("true")).build(),
                List.of(layerDesc.digest()),
                null));
    Descriptor manifest = store.putManifest(ImageManifest.of(config, List.of(layerDesc)));
    store.tag(ImageReference.parse(ref), manifest);
    return manifest;
  }

  @Test
  void pushPrintsALinePerBlobAndPullFetchesOnlyWhatIsMissing() throws Exception {
    Descriptor m = putImage(rootA, ref("cli:1"), 2500);

    assertThat(cli.code("--root", rootA.toString(), "push", ref("cli:1"))).isZero();
    String[] lines = cli.out().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).matches("[0-9a-f]{12}: pushed 2\\.5 kB");
    assertThat(lines[1]).matches("[0-9a-f]{12}: pushed \\d+ B");
    assertThat(lines[2]).startsWith("1: digest: " + m.digest() + " size: ");

    assertThat(cli.code("--root", rootA.toString(), "push", ref("cli:1"))).isZero();
    assertThat(cli.out()).contains(": exists").doesNotContain("pushed");

    assertThat(cli.code("--root", rootB.toString(), "pull", ref("cli:1"))).isZero();
    assertThat(cli.out())
        .contains(": pulled 2.5 kB")
        .contains("Digest: " + m.digest())
        .contains("Status: pulled " + ref("cli:1") + " from " + registry.url() + " (2 blobs, ");

    assertThat(cli.code("--root", rootB.toString(), "pull", ref("cli:1"))).isZero();
    assertThat(cli.out())
        .contains(": exists")
        .contains("Status: image is up to date for " + ref("cli:1"));
    assertThat(cli.err()).isEmpty();
  }

  @Test
  void quietModePrintsOnlyTheReference() throws Exception {
    Descriptor m = putImage(rootA, ref("quiet:1"), 100);
    assertThat(cli.code("--root", rootA.toString(), "push", "-q", ref("quiet:1"))).isZero();
    assertThat(cli.out()).isEqualTo(ref("quiet:1") + "@" + m.digest() + "\n");
    assertThat(cli.code("--root", rootB.toString(), "pull", "-q", ref("quiet:1"))).isZero();
    assertThat(cli.out()).isEqualTo(ref("quiet:1") + "\n");
  }

  @Test
  void missingImageIsExitTwoWithTheRegistrysMessageAndNothingStored() throws Exception {
    assertThat(cli.code("--root", rootB.toString(), "pull", ref("missing:1"))).isEqualTo(2);
    assertThat(cli.err())
        .startsWith("stamp: pull " + ref("missing:1") + ": ")
        .contains("UNKNOWN")
        .doesNotContain("at dev.stamp");
    assertThat(cli.err().lines()).hasSize(1);
    assertThat(cli.out()).isEmpty();
    try (var blobs = Files.list(rootB.resolve("images/blobs/sha256"))) {
      assertThat(blobs).isEmpty();
    }
  }

  @Test
  void badReferenceAndUnknownLocalImageAreExitTwo() throws Exception {
    assertThat(cli.code("--root", rootA.toString(), "pull", "Bad:Ref:x")).isEqualTo(2);
    assertThat(cli.err()).startsWith("stamp: invalid reference \"Bad:Ref:x\"");
    assertThat(cli.code("--root", rootA.toString(), "push", ref("nothing:1"))).isEqualTo(2);
    assertThat(cli.err()).startsWith("stamp: push " + ref("nothing:1") + ": no such image");
    assertThat(cli.code("--root", rootA.toString(), "pull", "--platform", "amd64", "x:1"))
        .isEqualTo(2);
    assertThat(cli.err()).contains("expected OS/ARCH[/VARIANT]");
  }

  @Test
  void refusedCredentialsAreExitTwoWithTheRegistrysTextAndNothingStored(@TempDir Path config)
      throws Exception {
    try (RegistryFixture secured = RegistryFixture.startWithBasicAuth("stamp", "right")) {
      String auth =
          Base64.getEncoder().encodeToString("stamp:wrong".getBytes(StandardCharsets.UTF_8));
      Files.writeString(
          config.resolve("config.json"),
          "{\"auths\":{\"" + secured.host() + "\":{\"auth\":\"" + auth + "\"}}}");
      String image = secured.host() + "/private:1";

      Result pull = stampProcess(config, "--root", rootB.toString(), "pull", image);
      assertThat(pull.exit()).isEqualTo(2);
      assertThat(pull.err())
          .isEqualTo("stamp: pull " + image + ": UNAUTHORIZED: authentication required\n");
      try (var blobs = Files.list(rootB.resolve("images/blobs/sha256"))) {
        assertThat(blobs).isEmpty();
      }

      putImage(rootA, image, 100);
      Result push = stampProcess(config, "--root", rootA.toString(), "push", image);
      assertThat(push.exit()).isEqualTo(2);
      assertThat(push.err())
          .startsWith("stamp: push " + image + ": ")
          .endsWith(": UNAUTHORIZED: authentication required\n");
    }
  }

  record Result(int exit, String out, String err) {}

  /** Runs the CLI in a child JVM with {@code DOCKER_CONFIG} set (the CLI reads the real env). */
  static Result stampProcess(Path dockerConfig, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(StampCli.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("DOCKER_CONFIG", dockerConfig.toString());
    pb.environment().remove("STAMP_ROOT");
    Process p = pb.start();
    p.getOutputStream().close();
    var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    String err = read(p.getErrorStream());
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("stamp " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), out.get(), err);
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void unreachableRegistryIsExitOne() throws Exception {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.createDirectories(rootB.resolve("config"));
    Files.writeString(rootB.resolve("config/registries.json"), "{\"maxAttempts\": 1}");
    assertThat(cli.code("--root", rootB.toString(), "pull", "127.0.0.1:" + port + "/x:1"))
        .isEqualTo(1);
    assertThat(cli.err())
        .startsWith("stamp: pull 127.0.0.1:" + port + "/x:1: cannot connect to 127.0.0.1:" + port);
  }
}
