package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.testkit.RegistryFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real registry with htpasswd basic auth, credentials from a Docker config.json. */
@Timeout(120)
class BasicAuthRegistryIT {

  static RegistryFixture registry;

  @TempDir Path rootA;
  @TempDir Path rootB;
  @TempDir Path dockerConfig;

  @BeforeAll
  static void start() {
    registry = RegistryFixture.startWithBasicAuth("stamp", "s3cret");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  Registries withLogin(String user, String password) throws Exception {
    String auth =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        dockerConfig.resolve("config.json"),
        "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}");
    return new Registries(
        RegistryIT.fastConfig(),
        DockerConfigCredentials.fromEnvironment(Map.of("DOCKER_CONFIG", dockerConfig.toString())));
  }

  String ref(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }

  @Test
  void pushAndPullWithCredentialsFromDockerConfig() throws Exception {
    ImageStore a = ImageStore.open(new StampRoot(rootA));
    Descriptor m = LocalImages.tagged(a, ref("secured:1"), "secured", 4000);
    Registries registries = withLogin("stamp", "s3cret");
    new ImagePusher(registries, a)
        .push(ImageReference.parse(ref("secured:1")), TransferListener.NONE);
    PullResult pulled =
        new ImagePuller(registries, ImageStore.open(new StampRoot(rootB)))
            .pull(ImageReference.parse(ref("secured:1")), TransferListener.NONE);
    assertThat(pulled.image().manifestDigest()).isEqualTo(m.digest());
  }

  @Test
  void refusedCredentialsGiveTheRegistrysMessageAndLeaveNothingBehind() throws Exception {
    ImageStore a = ImageStore.open(new StampRoot(rootA));
    LocalImages.tagged(a, ref("refused:1"), "refused", 4000);
    Registries wrong = withLogin("stamp", "wrong");
    assertThatThrownBy(
            () ->
                new ImagePusher(wrong, a)
                    .push(ImageReference.parse(ref("refused:1")), TransferListener.NONE))
        .hasMessageStartingWith("push " + ref("refused:1") + ": ")
        .hasMessageEndingWith("UNAUTHORIZED: authentication required")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));

    ImageStore b = ImageStore.open(new StampRoot(rootB));
    assertThatThrownBy(
            () ->
                new ImagePuller(wrong, b)
                    .pull(ImageReference.parse(ref("refused:1")), TransferListener.NONE))
        .hasMessage("pull " + ref("refused:1") + ": UNAUTHORIZED: authentication required");
    assertThat(b.list()).isEmpty();
    assertThat(RegistryIT.blobFiles(rootB)).isEmpty();
  }

  @Test
  void noCredentialsSaysWhereTheyWouldBe() throws Exception {
    Registries none =
        new Registries(
            RegistryIT.fastConfig(),
            DockerConfigCredentials.fromEnvironment(
                Map.of("DOCKER_CONFIG", dockerConfig.toString())));
    assertThatThrownBy(
            () ->
                new ImagePuller(none, ImageStore.open(new StampRoot(rootB)))
                    .pull(ImageReference.parse(ref("any:1")), TransferListener.NONE))
        .hasMessage(
            "pull "
                + ref("any:1")
                + ": UNAUTHORIZED: authentication required (no credentials for "
                + registry.host()
                + " in "
                + dockerConfig.resolve("config.json")
                + ")");
  }
}
