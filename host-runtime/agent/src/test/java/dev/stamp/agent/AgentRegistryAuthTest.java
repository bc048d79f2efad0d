package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.registry.Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stamp agent --registry-auth FILE}: checked at start, read by every pull. */
class AgentRegistryAuthTest {

  @TempDir Path tmp;

  AgentConfig config(Path registryAuth) {
    return new AgentConfig(
        new StampRoot(tmp.resolve("root")),
        "127.0.0.1",
        0,
        tmp.resolve("token"),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Optional.ofNullable(registryAuth));
  }

  Path authFile(String perms) throws Exception {
    Path file = tmp.resolve("registry-auth.json");
    String auth = Base64.getEncoder().encodeToString("stamp:s3cret-pull-password".getBytes());
    Files.writeString(file, "{\"auths\":{\"127.0.0.1:7701\":{\"auth\":\"" + auth + "\"}}}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    return file;
  }

  @Test
  void pullsPresentTheCredentialsOfTheFile() throws Exception {
    AgentConfig config = config(authFile("rw-------"));
    config.check();
    assertThat(config.registryCredentials().find("127.0.0.1:7701"))
        .hasValue(Credentials.basic("stamp", "s3cret-pull-password"));
    assertThat(config.registryCredentials().find("127.0.0.1:7702")).isEmpty();
  }

  @Test
  void aFileReadableByGroupOrOthersIsRefused() throws Exception {
    for (String perms : List.of("rw-r-----", "rw----r--")) {
      AgentConfig config = config(authFile(perms));
      assertThatThrownBy(config::check)
          .isInstanceOfSatisfying(
              HostRuntimeException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
                assertThat(e.getMessage())
                    .contains("--registry-auth")
                    .contains("chmod 600")
                    .doesNotContain("s3cret");
              });
    }
  }

  @Test
  void aMissingOrMalformedFileIsRefusedAtStart() throws Exception {
    assertThatThrownBy(config(tmp.resolve("missing.json"))::check)
        .hasMessageContaining("--registry-auth")
        .hasMessageContaining("missing.json");
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "not json");
    Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(config(bad)::check)
        .isInstanceOfSatisfying(
            HostRuntimeException.class,
            e -> assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT));
  }
}
