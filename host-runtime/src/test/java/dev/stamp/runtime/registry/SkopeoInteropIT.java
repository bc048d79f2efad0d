package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import dev.stamp.testkit.RegistryFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Stamp pushes, skopeo reads and copies; what skopeo pushes (Docker v2 format), Stamp pulls.
 */
@Timeout(120)
class SkopeoInteropIT {

  static final Path SKOPEO = Path.of("/usr/bin/skopeo");
  static RegistryFixture registry;

  @TempDir Path rootA;
  @TempDir Path rootB;
  @TempDir Path work;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(Files.isExecutable(SKOPEO), "skipped: needs skopeo");
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

  @Test
  void skopeoInspectsAndCopiesWhatStampPushed() throws Exception {
    ImageStore a = ImageStore.open(new StampRoot(rootA));
    Descriptor m = LocalImages.tagged(a, ref("interop:1"), "interop", 50_000);
    Image image = a.resolve(ref("interop:1"));
    new ImagePusher(RegistryIT.registries(), a)
        .push(ImageReference.parse(ref("interop:1")), TransferListener.NONE);

    JsonNode inspect =
        json(skopeo("inspect", "--tls-verify=false", "docker://" + ref("interop:1")));
    assertThat(inspect.path("Digest").asText()).isEqualTo(m.digest().toString());
    assertThat(inspect.path("Architecture").asText()).isEqualTo("amd64");
    assertThat(inspect.path("Layers").get(0).asText())
        .isEqualTo(image.layers().get(0).digest().toString());
    byte[] raw =
        skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + ref("interop:1"))
            .getBytes(StandardCharsets.UTF_8);
    assertThat(raw).isEqualTo(a.readBlob(m.digest()));

    Path oci = work.resolve("oci");
    skopeo(
        "copy", "--src-tls-verify=false", "docker://" + ref("interop:1"), "oci:" + oci + ":copied");
    JsonNode index = json(Files.readString(oci.resolve("index.json")));
    assertThat(index.path("manifests").get(0).path("digest").asText())
        .isEqualTo(m.digest().toString());
    Path layer = oci.resolve("blobs/sha256/" + image.layers().get(0).digest().hex());
    assertThat(layer).hasBinaryContent(a.readBlob(image.layers().get(0).digest()));
  }

  @Test
  void stampPullsADockerV2ImageSkopeoPushed() throws Exception {
    ImageStore a = ImageStore.open(new StampRoot(rootA));
    LocalImages.tagged(a, ref("src:1"), "docker-format", 20_000);
    Image original = a.resolve(ref("src:1"));
    skopeo(
        "copy",
        "--format",
        "v2s2",
        "--dest-tls-verify=false",
        "oci:" + a.layout() + ":" + ref("src:1"),
        "docker://" + ref("skopeo-pushed:1"));
    String remoteDigest =
        json(skopeo("inspect", "--tls-verify=false", "docker://" + ref("skopeo-pushed:1")))
            .path("Digest")
            .asText();

    ImageStore b = ImageStore.open(new StampRoot(rootB));
    PullResult pulled =
        new ImagePuller(RegistryIT.registries(), b)
            .pull(ImageReference.parse(ref("skopeo-pushed:1")), TransferListener.NONE);
    assertThat(pulled.remoteDigest().toString()).isEqualTo(remoteDigest);
    assertThat(pulled.image().manifest().mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
    assertThat(pulled.image().manifest().config().mediaType()).isEqualTo(MediaType.DOCKER_CONFIG);
    assertThat(pulled.image().layers().get(0).mediaType())
        .isEqualTo(MediaType.DOCKER_LAYER_TAR_GZIP);
    assertThat(pulled.image().diffIds()).isEqualTo(original.diffIds());
    assertThat(pulled.image().config().runConfig()).isEqualTo(original.config().runConfig());
  }

  @Test
  void stampPicksAmd64FromADockerManifestListSkopeoPushed() throws Exception {
    ImageStore a = ImageStore.open(new StampRoot(rootA));
    Platform arm = new Platform("arm64", "linux", null, null, "v8");
    Descriptor amd =
        LocalImages.put(a, Platform.of("linux", "amd64"), "amd", LocalImages.layer("a1", 3000));
    Descriptor armImage = LocalImages.put(a, arm, "arm", LocalImages.layer("r1", 3000));
    LocalImages.taggedIndex(
        a,
        ref("list-src:1"),
        List.of(armImage.withPlatform(arm), amd.withPlatform(Platform.of("linux", "amd64"))));
    skopeo(
        "copy",
        "--all",
        "--format",
        "v2s2",
        "--dest-tls-verify=false",
        "oci:" + a.layout() + ":" + ref("list-src:1"),
        "docker://" + ref("dlist:1"));
    JsonNode list =
        json(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + ref("dlist:1")));
    assertThat(list.path("mediaType").asText()).isEqualTo(MediaType.DOCKER_MANIFEST_LIST);

    ImageStore b = ImageStore.open(new StampRoot(rootB));
    PullResult pulled =
        new ImagePuller(RegistryIT.registries(), b, Platform.of("linux", "amd64"))
            .pull(ImageReference.parse(ref("dlist:1")), TransferListener.NONE);
    assertThat(pulled.image().config().architecture()).isEqualTo("amd64");
    assertThat(pulled.image().config().runConfig().cmd()).containsExactly("sh", "-c", "amd");
  }

  static JsonNode json(String text) throws IOException {
    return ImageJson.mapper().readTree(text);
  }

  static String skopeo(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(SKOPEO.toString());
    command.add("--insecure-policy");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
