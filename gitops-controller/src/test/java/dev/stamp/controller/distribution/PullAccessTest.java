package dev.stamp.controller.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.config.SecretFile;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.ImageStore;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pull password from {@code images.pullPasswordFile}: checked at start, rotated live. */
class PullAccessTest {

  @TempDir Path tmp;

  Path passwordFile(String password, String perms) throws Exception {
    Path file = tmp.resolve("pull-password");
    Files.writeString(file, password + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    return file;
  }

  @Test
  void aRotatedPasswordFileIsReadAgainWithoutARestart() throws Exception {
    ImageStore store = TestImages.store(tmp.resolve("controller"));
    TestImages.oneFile(store, tmp, "shop/web:abc123", "hello\n");
    Path file = passwordFile("first-password-0123456789", "rw-------");
    try (DistributionServer server =
        DistributionServer.start(
            store,
            new InetSocketAddress("127.0.0.1", 0),
            PullAccess.passwordFile(new SecretFile(file)))) {
      int port = server.address().getPort();
      String path = "/v2/shop/web/tags/list";
      String first = TestImages.basic("stamp", "first-password-0123456789");
      String second = TestImages.basic("stamp", "second-password-0123456789");
      assertThat(TestImages.raw(port, "GET", path, first).status()).isEqualTo(200);
      assertThat(TestImages.raw(port, "GET", path, second).status()).isEqualTo(401);

      passwordFile("second-password-0123456789", "rw-------");

      assertThat(TestImages.raw(port, "GET", path, first).status()).isEqualTo(401);
      assertThat(TestImages.raw(port, "GET", path, second).status()).isEqualTo(200);

      // a file made readable by others: every pull is refused, nothing says the password
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0));
      TestImages.Raw refused = TestImages.raw(port, "GET", path, second);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.text()).doesNotContain("second-password");
    }
  }

  @Test
  void theEndpointDoesNotStartOnAPasswordFileOthersMayRead() throws Exception {
    ImageStore store = TestImages.store(tmp.resolve("controller"));
    Path file = passwordFile("a-password-0123456789", "rw-r--r--");
    assertThatThrownBy(
            () ->
                DistributionServer.start(
                    store,
                    new InetSocketAddress("127.0.0.1", 0),
                    PullAccess.passwordFile(new SecretFile(file))))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.getMessage()).contains("chmod 600").doesNotContain("a-password");
            });
    Path weak = passwordFile("short", "rw-------");
    assertThatThrownBy(
            () ->
                DistributionServer.start(
                    store,
                    new InetSocketAddress("127.0.0.1", 0),
                    PullAccess.passwordFile(new SecretFile(weak))))
        .hasMessageContaining("pull password file")
        .hasMessageNotContaining("short\"");
  }
}
