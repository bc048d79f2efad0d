package dev.stamp.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageJsonTest {

  /** A config as Docker writes it, with fields Stamp does not model. */
  static final String DOCKER_CONFIG =
      """
      {"architecture":"amd64","config":{"Hostname":"","User":"app","ExposedPorts":{"80/tcp":{},"443/tcp":{}},\
      "Env":["PATH=/usr/bin:/bin","A=b=c"],"Cmd":["sh","-c","echo hi"],"Healthcheck":{"Test":["CMD-SHELL","true"],\
      "Interval":30000000000,"Retries":3},"Image":"sha256:x","Volumes":{"/data":{}},"WorkingDir":"/srv",\
      "Entrypoint":null,"OnBuild":null,"Labels":{"z":"1","a":"2"},"StopSignal":"SIGTERM","Shell":["/bin/sh","-c"]},\
      "container":"abc","created":"2024-01-02T03:04:05.123456789Z","docker_version":"24.0.7",\
      "history":[{"created":"2024-01-02T03:04:05Z","created_by":"ADD file:x in /"},\
      {"created":"2024-01-02T03:04:06Z","created_by":"CMD [\\"sh\\"]","empty_layer":true}],\
      "os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}
      """
          .formatted("ab".repeat(32))
          .strip();

  @Test
  void readsDockerConfigIgnoringUnknownFields() throws Exception {
    ImageConfig c = ImageJson.read(bytes(DOCKER_CONFIG), ImageConfig.class, "config");
    assertThat(c.architecture()).isEqualTo("amd64");
    assertThat(c.os()).isEqualTo("linux");
    assertThat(c.created()).isEqualTo("2024-01-02T03:04:05.123456789Z");
    ContainerConfig run = c.runConfig();
    assertThat(run.user()).isEqualTo("app");
    assertThat(run.exposedPorts()).containsExactly("443/tcp", "80/tcp");
    assertThat(run.env()).containsExactly("PATH=/usr/bin:/bin", "A=b=c");
    assertThat(run.envValue("A")).isEqualTo("b=c");
    assertThat(run.cmd()).containsExactly("sh", "-c", "echo hi");
    assertThat(run.entrypoint()).isNull();
    assertThat(run.volumes()).containsExactly("/data");
    assertThat(run.workingDir()).isEqualTo("/srv");
    assertThat(run.labels()).containsEntry("a", "2").containsEntry("z", "1");
    assertThat(run.stopSignal()).isEqualTo("SIGTERM");
    assertThat(run.shell()).containsExactly("/bin/sh", "-c");
    assertThat(run.healthcheck().test()).containsExactly("CMD-SHELL", "true");
    assertThat(run.healthcheck().intervalNanos()).isEqualTo(30_000_000_000L);
    assertThat(run.healthcheck().retries()).isEqualTo(3);
    assertThat(c.diffIds()).containsExactly(Digest.sha256("ab".repeat(32)));
    assertThat(c.history()).hasSize(2);
    assertThat(c.history().get(1).isEmptyLayer()).isTrue();
    assertThat(c.history().get(0).isEmptyLayer()).isFalse();
  }

  @Test
  void serialisationIsDeterministicAndRoundTripsByteForByte() throws Exception {
    ImageConfig c = ImageJson.read(bytes(DOCKER_CONFIG), ImageConfig.class, "config");
    byte[] once = ImageJson.write(c);
    byte[] twice = ImageJson.write(ImageJson.read(once, ImageConfig.class, "config"));
    assertThat(twice).isEqualTo(once);
    String json = new String(once, StandardCharsets.UTF_8);
    assertThat(json)
        .startsWith("{\"created\":\"2024-01-02T03:04:05.123456789Z\",\"architecture\":\"amd64\"")
        .contains("\"ExposedPorts\":{\"443/tcp\":{},\"80/tcp\":{}}")
        .contains("\"Labels\":{\"a\":\"2\",\"z\":\"1\"}")
        .doesNotContain("Hostname", "docker_version", "null", "\n", "\": ", ", \"");
  }

  @Test
  void manifestAndIndexRoundTrip() throws Exception {
    Descriptor config = Descriptor.of(MediaType.OCI_CONFIG, bytes("{}"));
    Descriptor layer = Descriptor.of(MediaType.OCI_LAYER_TAR_GZIP, bytes("layer"));
    ImageManifest m = ImageManifest.of(config, List.of(layer));
    byte[] json = ImageJson.write(m);
    assertThat(new String(json, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\""
                + config.digest()
                + "\",\"size\":2},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
                + layer.digest()
                + "\",\"size\":5}]}");
    assertThat(ImageJson.read(json, ImageManifest.class, "manifest")).isEqualTo(m);

    Descriptor entry =
        Descriptor.of(MediaType.OCI_MANIFEST, json)
            .withPlatform(Platform.of("linux", "amd64"))
            .withAnnotations(Map.of(Descriptor.REF_NAME, "docker.io/library/x:latest"));
    ImageIndex index = ImageIndex.of(List.of(entry));
    ImageIndex back = ImageJson.read(ImageJson.write(index), ImageIndex.class, "index");
    assertThat(back).isEqualTo(index);
    assertThat(back.forPlatform(Platform.of("linux", "amd64"))).contains(entry);
    assertThat(back.forPlatform(Platform.of("linux", "arm64"))).isEmpty();
    assertThat(back.manifests().get(0).annotation(Descriptor.REF_NAME))
        .isEqualTo("docker.io/library/x:latest");
  }

  @Test
  void dockerManifestListIsReadWithPlatforms() throws Exception {
    String list =
        """
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",\
        "manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":7,\
        "digest":"sha256:%s","platform":{"architecture":"arm64","os":"linux","variant":"v8"}},\
        {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":7,\
        "digest":"sha256:%s","platform":{"architecture":"amd64","os":"linux","features":["sse4"]}}]}
        """
            .formatted("11".repeat(32), "22".repeat(32));
    ImageIndex index = ImageJson.read(bytes(list), ImageIndex.class, "manifest list");
    assertThat(MediaType.isIndex(index.mediaType())).isTrue();
    assertThat(index.forPlatform(Platform.of("linux", "amd64")).orElseThrow().digest().hex())
        .isEqualTo("22".repeat(32));
  }

  @Test
  void badJsonIsBadInputNamingTheObject() {
    assertThatThrownBy(
            () -> ImageJson.read(bytes("{\"config\":"), ImageManifest.class, "manifest sha256:x"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("manifest sha256:x: not a valid ImageManifest");
    assertThatThrownBy(() -> ImageJson.read(bytes("{}"), ImageManifest.class, "manifest m"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("manifest m: not a valid ImageManifest");
  }

  @Test
  void builderDerivesConfigs() {
    ContainerConfig c =
        ContainerConfig.builder()
            .env("PATH", "/bin")
            .env("A", "1")
            .env("PATH", "/usr/bin")
            .exposePort("8080/tcp")
            .label("k", "v")
            .cmd(List.of("sh"))
            .build();
    assertThat(c.env()).containsExactly("PATH=/usr/bin", "A=1");
    assertThat(c.toBuilder().workingDir("/app").build().workingDir()).isEqualTo("/app");
    assertThat(c.exposedPorts()).containsExactly("8080/tcp");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
