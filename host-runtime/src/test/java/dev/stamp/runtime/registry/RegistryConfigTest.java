package dev.stamp.runtime.registry;

import static dev.stamp.runtime.registry.LocalImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConfigTest {

  @TempDir Path root;

  @Test
  void missingFileMeansDefaults() throws Exception {
    assertThat(RegistryConfig.load(new StampRoot(root))).isEqualTo(RegistryConfig.DEFAULT);
  }

  @Test
  void readsMirrorsInsecureHostsTimeoutsAndAttempts() throws Exception {
    Files.createDirectories(root.resolve("config"));
    Files.writeString(
        root.resolve(RegistryConfig.FILE),
        """
        {"mirrors": {"docker.io": ["http://127.0.0.1:5000", "https://mirror.example"]},
         "insecure": ["registry.lan:5000", "plain.lan"],
         "connectTimeoutSeconds": 2, "requestTimeoutSeconds": 0.5, "readTimeoutSeconds": 30,
         "maxAttempts": 2, "uploadChunkBytes": 65536}
        """);
    RegistryConfig config = RegistryConfig.load(new StampRoot(root));
    assertThat(config.mirrorsOf("docker.io"))
        .containsExactly(
            new RegistryEndpoint("http", "127.0.0.1:5000"),
            new RegistryEndpoint("https", "mirror.example"));
    assertThat(config.mirrorsOf("quay.io")).isEmpty();
    assertThat(config.isInsecure("registry.lan:5000")).isTrue();
    assertThat(config.isInsecure("plain.lan:8080")).isTrue();
    assertThat(config.isInsecure("registry.lan:6000")).isFalse();
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.retry().maxAttempts()).isEqualTo(2);
    assertThat(config.uploadChunkBytes()).isEqualTo(65536);
  }

  @Test
  void plainHttpMirrorNeedsLoopbackOrAnInsecureListing() throws Exception {
    assertThatThrownBy(() -> parse("{\"mirrors\":{\"docker.io\":[\"http://mirror.lan:5000\"]}}"))
        .hasMessageContaining("mirrors.docker.io")
        .hasMessageContaining("plain http is only used for loopback hosts");
    RegistryConfig ok =
        parse(
            "{\"insecure\":[\"mirror.lan:5000\"],"
                + "\"mirrors\":{\"docker.io\":[\"http://mirror.lan:5000\"]}}");
    assertThat(ok.mirrorsOf("docker.io"))
        .containsExactly(new RegistryEndpoint("http", "mirror.lan:5000"));
  }

  @Test
  void badInputNamesTheFileAndTheKey() {
    assertBad("{\"mirror\":{}}", "unknown key \"mirror\"");
    assertBad(
        "{\"mirrors\":{\"docker.io\":\"http://127.0.0.1:5000\"}}",
        "\"mirrors.docker.io\" must be a list");
    assertBad("{\"mirrors\":{\"docker.io\":[\"ftp://x\"]}}", "expected http://HOST[:PORT]");
    assertBad("{\"mirrors\":{\"docker.io\":[\"https://x/path\"]}}", "without a path");
    assertBad("{\"insecure\":[1]}", "insecure[0] must be a non-empty string");
    assertBad("{\"maxAttempts\":0}", "\"maxAttempts\" must be a whole number in [1, 20]");
    assertBad("{\"requestTimeoutSeconds\":\"10\"}", "\"requestTimeoutSeconds\" must be a number");
    assertBad("[1]", "expected a JSON object");
    assertBad("{", "not valid JSON");
  }

  @Test
  void endpointIsPlainHttpOnlyForLoopbackOrInsecureHosts() throws Exception {
    RegistryConfig config = parse("{\"insecure\":[\"registry.lan:5000\"]}");
    assertThat(RegistryEndpoint.of("127.0.0.1:5000", config).scheme()).isEqualTo("http");
    assertThat(RegistryEndpoint.of("127.8.9.10:5000", config).scheme()).isEqualTo("http");
    assertThat(RegistryEndpoint.of("localhost:5000", config).scheme()).isEqualTo("http");
    assertThat(RegistryEndpoint.of("[::1]:5000", config).scheme()).isEqualTo("http");
    assertThat(RegistryEndpoint.of("registry.lan:5000", config).scheme()).isEqualTo("http");
    assertThat(RegistryEndpoint.of("registry.lan:5001", config).scheme()).isEqualTo("https");
    assertThat(RegistryEndpoint.of("128.0.0.1:5000", config).scheme()).isEqualTo("https");
    assertThat(RegistryEndpoint.of("docker.io", config))
        .isEqualTo(new RegistryEndpoint("https", "registry-1.docker.io"));
    assertThat(RegistryEndpoint.of("127.0.0.1:5000", config).uri("app/manifests/1").toString())
        .isEqualTo("http://127.0.0.1:5000/v2/app/manifests/1");
  }

  @Test
  void pullTriesMirrorsInOrderThenTheOrigin() throws Exception {
    RegistryConfig config =
        parse(
            "{\"mirrors\":{\"docker.io\":[\"http://127.0.0.1:5000\",\"http://127.0.0.2:5000\"]}}");
    Registries registries = new Registries(config, CredentialSource.NONE);
    assertThat(registries.pullEndpoints("docker.io"))
        .extracting(RegistryEndpoint::toString)
        .containsExactly(
            "http://127.0.0.1:5000", "http://127.0.0.2:5000", "https://registry-1.docker.io");
    assertThat(registries.pullEndpoints("127.0.0.1:6000"))
        .isEqualTo(List.of(new RegistryEndpoint("http", "127.0.0.1:6000")));
  }

  private static RegistryConfig parse(String json) throws HostRuntimeException {
    return RegistryConfig.parse(utf8(json), "/r/config/registries.json");
  }

  private static void assertBad(String json, String message) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("registry config /r/config/registries.json: ")
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
  }
}
