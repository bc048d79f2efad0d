package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {

  @TempDir Path dir;

  private DockerConfigCredentials write(String json) throws Exception {
    Files.writeString(dir.resolve("config.json"), json);
    return DockerConfigCredentials.fromEnvironment(Map.of("DOCKER_CONFIG", dir.toString()));
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void dockerConfigEnvironmentVariablePicksTheDirectory() {
    assertThat(DockerConfigCredentials.fromEnvironment(Map.of("DOCKER_CONFIG", "/etc/dc")).file())
        .isEqualTo(Path.of("/etc/dc/config.json"));
    assertThat(DockerConfigCredentials.fromEnvironment(Map.of()).file())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".docker", "config.json"));
  }

  @Test
  void decodesAuthAndSplitsAtTheFirstColon() throws Exception {
    DockerConfigCredentials creds =
        write("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + b64("alice:pa:ss") + "\"}}}");
    assertThat(creds.find("127.0.0.1:5000")).contains(Credentials.basic("alice", "pa:ss"));
    assertThat(creds.find("127.0.0.1:5001")).isEmpty();
  }

  @Test
  void keysMayCarrySchemeAndPathAndDockerHubHasAliases() throws Exception {
    DockerConfigCredentials creds =
        write(
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
                + b64("hub:pw")
                + "\"},\"http://Registry.Lan:5000/\":{\"username\":\"bob\",\"password\":\"pw2\"}}}");
    assertThat(creds.find("docker.io")).contains(Credentials.basic("hub", "pw"));
    assertThat(creds.find("registry.lan:5000")).contains(Credentials.basic("bob", "pw2"));
  }

  @Test
  void identityTokenIsKept() throws Exception {
    DockerConfigCredentials creds =
        write(
            "{\"auths\":{\"r.example\":{\"auth\":\""
                + b64("<token>:")
                + "\",\"identitytoken\":\"refresh-me\"}}}");
    Credentials c = creds.find("r.example").orElseThrow();
    assertThat(c.identityToken()).isEqualTo("refresh-me");
  }

  @Test
  void credentialHelpersAreReportedAsUnsupported() throws Exception {
    DockerConfigCredentials creds =
        write(
            "{\"auths\":{\"r.example\":{}},\"credsStore\":\"desktop\","
                + "\"credHelpers\":{\"gcr.io\":\"gcloud\"}}");
    assertThatThrownBy(() -> creds.find("gcr.io"))
        .hasMessageContaining("docker-credential-gcloud, which stamp does not run")
        .hasMessageContaining("add an \"auth\" entry for gcr.io under \"auths\"")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
    assertThatThrownBy(() -> creds.find("r.example"))
        .hasMessageContaining("docker-credential-desktop");
  }

  @Test
  void missingFileMeansNoCredentialsAndBrokenFileIsBadInput() throws Exception {
    assertThat(new DockerConfigCredentials(dir.resolve("nope.json")).find("x.io")).isEmpty();
    assertThatThrownBy(() -> write("{nope").find("x.io"))
        .hasMessageContaining(
            "docker config " + dir.resolve("config.json") + ":1:2: not valid JSON");
    assertThatThrownBy(() -> write("{\"auths\":{\"x.io\":{\"auth\":\"%%%\"}}}").find("x.io"))
        .hasMessageContaining("auths.x.io.auth is not valid base64");
  }
}
