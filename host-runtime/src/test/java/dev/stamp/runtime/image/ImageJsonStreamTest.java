package dev.stamp.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.health.HealthCheck;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Manifests and image configs read with the streaming parser ({@link ImageJson#read}) give what the
 * object mapper gave for the same bytes, and write back to the same bytes (so the same digest).
 */
class ImageJsonStreamTest {

  static final String LAYER = "sha256:" + "cd".repeat(32);

  static ImageConfig everyField() throws HostRuntimeException {
    ContainerConfig run =
        ContainerConfig.builder()
            .user("1000:50")
            .exposedPorts(Set.of("80/tcp", "53/udp"))
            .env(List.of("PATH=/bin", "EMPTY="))
            .entrypoint(List.of("/init"))
            .cmd(List.of("httpd", "-f", "a \"quoted\" \u00e9 arg"))
            .volumes(Set.of("/data", "/logs"))
            .workingDir("/www")
            .labels(Map.of("org.opencontainers.image.revision", "abc", "b", ""))
            .stopSignal("SIGQUIT")
            .argsEscaped(Boolean.FALSE)
            .healthcheck(new HealthCheck(List.of("HTTP", "/health", "8080"), 1L, 2L, 3L, 4L, 5))
            .onBuild(List.of("RUN true"))
            .shell(List.of("/bin/ash", "-c"))
            .build();
    return new ImageConfig(
        "2026-12-06T12:00:00Z",
        "someone",
        "arm64",
        "v8",
        "linux",
        "6.1",
        run,
        RootFs.of(List.of(Digest.sha256("ab".repeat(32)), Digest.sha256("cd".repeat(32)))),
        List.of(
            new HistoryEntry("2026-12-06T12:00:00Z", "COPY . /", "me", "c", null),
            HistoryEntry.of("2026-12-06T12:00:01Z", "CMD [\"x\"]", true)));
  }

  @Test
  void aConfigWithEveryFieldReadsAsTheMapperReadsItAndWritesTheSameBytes() throws Exception {
    byte[] bytes = ImageJson.write(everyField());
    ImageConfig streamed = ImageJson.read(bytes, ImageConfig.class, "config");
    assertThat(streamed).isEqualTo(ImageJson.mapper().readValue(bytes, ImageConfig.class));
    assertThat(streamed).isEqualTo(everyField());
    assertThat(ImageJson.write(streamed)).isEqualTo(bytes);
  }

  @Test
  void dockersConfigReadsAsTheMapperReadsIt() throws Exception {
    byte[] bytes = bytes(ImageJsonTest.DOCKER_CONFIG);
    ImageConfig streamed = ImageJson.read(bytes, ImageConfig.class, "config");
    assertThat(streamed).isEqualTo(ImageJson.mapper().readValue(bytes, ImageConfig.class));
    assertThat(ImageJson.write(streamed))
        .isEqualTo(ImageJson.write(ImageJson.mapper().readValue(bytes, ImageConfig.class)));
  }

  @Test
  void nullsAndOddShapesReadAsTheMapperReadsThem() throws Exception {
    String json =
        """
        {"created":null,"config":{"User":1000,"ExposedPorts":[],"Volumes":null,"Env":[],
         "Healthcheck":{"Test":null,"Interval":"7","Retries":null},"ArgsEscaped":null,
         "Labels":{}},"rootfs":{"diff_ids":null,"x":{"y":[1,{"z":2}]}},"history":[],
         "extra":[[{"a":null}]]}
        """;
    ImageConfig streamed = ImageJson.read(bytes(json), ImageConfig.class, "config");
    assertThat(streamed).isEqualTo(ImageJson.mapper().readValue(json, ImageConfig.class));
    assertThat(streamed.runConfig().user()).isEqualTo("1000");
    assertThat(streamed.runConfig().exposedPorts()).isEmpty();
    assertThat(streamed.runConfig().healthcheck().intervalNanos()).isEqualTo(7L);
  }

  @Test
  void aManifestWithEveryFieldReadsAsTheMapperReadsIt() throws Exception {
    Descriptor config = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256("ab".repeat(32)), 321);
    Descriptor layer =
        new Descriptor(
            MediaType.OCI_LAYER_TAR_GZIP,
            Digest.parse(LAYER),
            12345678901L,
            List.of("http://127.0.0.1/x"),
            Map.of("k", "v"),
            new Platform("amd64", "linux", "1", List.of("f"), null));
    ImageManifest manifest =
        new ImageManifest(2, MediaType.OCI_MANIFEST, config, List.of(layer), Map.of("a", "b"));
    byte[] bytes = ImageJson.write(manifest);
    ImageManifest streamed = ImageJson.read(bytes, ImageManifest.class, "manifest");
    assertThat(streamed).isEqualTo(manifest);
    assertThat(streamed).isEqualTo(ImageJson.mapper().readValue(bytes, ImageManifest.class));
    assertThat(ImageJson.write(streamed)).isEqualTo(bytes);
  }

  @Test
  void aDockerSchema2ManifestReadsAsTheMapperReadsIt() throws Exception {
    String json =
        """
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": {
              "mediaType": "application/vnd.docker.container.image.v1+json",
              "size": 1469,
              "digest": "sha256:%s"
           },
           "layers": [
              {
                 "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                 "size": 3408729,
                 "digest": "%s"
              }
           ]
        }
        """
            .formatted("ef".repeat(32), LAYER);
    ImageManifest streamed = ImageJson.read(bytes(json), ImageManifest.class, "manifest");
    assertThat(streamed).isEqualTo(ImageJson.mapper().readValue(json, ImageManifest.class));
    assertThat(streamed.layers()).hasSize(1);
    assertThat(streamed.annotations()).isNull();
  }

  @Test
  void anIndexWithPlatformsAndAnnotationsReadsAsTheMapperReadsIt() throws Exception {
    Descriptor amd =
        Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256("11".repeat(32)), 500)
            .withPlatform(Platform.of("linux", "amd64"))
            .withAnnotations(Map.of(Descriptor.REF_NAME, "example.com/a/b:1", "x", "y"));
    Descriptor arm =
        Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256("22".repeat(32)), 501)
            .withPlatform(new Platform("arm64", "linux", null, null, "v8"));
    ImageIndex index = new ImageIndex(2, MediaType.OCI_INDEX, List.of(amd, arm), Map.of("k", "v"));
    byte[] bytes = ImageJson.write(index);
    ImageIndex streamed = ImageJson.read(bytes, ImageIndex.class, "image index");
    assertThat(streamed).isEqualTo(index);
    assertThat(streamed).isEqualTo(ImageJson.mapper().readValue(bytes, ImageIndex.class));
    assertThat(ImageJson.write(streamed)).isEqualTo(bytes);
    byte[] empty = ImageStore.EMPTY_INDEX;
    assertThat(ImageJson.read(empty, ImageIndex.class, "index.json"))
        .isEqualTo(ImageJson.mapper().readValue(empty, ImageIndex.class));
  }

  @Test
  void badValuesAreBadInputNamingTheObjectAndTheField() {
    assertThatThrownBy(
            () ->
                ImageJson.read(
                    bytes("{\"config\":{\"mediaType\":\"x\",\"digest\":\"md5:1\",\"size\":1}}"),
                    ImageManifest.class,
                    "manifest sha256:m"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("manifest sha256:m: not a valid ImageManifest")
        .hasMessageContaining("md5:1");
    assertThatThrownBy(
            () ->
                ImageJson.read(
                    bytes("{\"config\":{\"Env\":\"PATH=/bin\"}}"), ImageConfig.class, "config c"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("config c: not a valid ImageConfig")
        .hasMessageContaining("config.Env");
    assertThatThrownBy(() -> ImageJson.read(bytes("[]"), ImageConfig.class, "config c"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("config c: not a valid ImageConfig");
    assertThatThrownBy(() -> ImageJson.read(bytes(""), ImageConfig.class, "config c"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("config c: not a valid ImageConfig");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
