package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** USER and --chown names looked up in the image's own /etc/passwd and /etc/group. */
class UsersTest {

  @TempDir Path layer;
  Snapshot snap;

  @BeforeEach
  void image() throws Exception {
    Files.createDirectories(layer.resolve("etc"));
    Files.writeString(
        layer.resolve("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n"
            + "broken:x:abc:0::/:/bin/sh\n");
    Files.writeString(layer.resolve("etc/group"), "root:x:0:\nstaff:x:50:\nodd:x:-1:\n");
    snap =
        new Snapshot(
            "k",
            List.of(),
            List.of(),
            List.of(layer),
            ContainerConfig.EMPTY,
            List.of(),
            Platform.host());
  }

  @Test
  void namesAndNumbersResolveThroughTheImagesFiles() throws Exception {
    assertThat(Users.runUser(snap, "app", "Dockerfile:3:1: ")).isEqualTo("1000:1001");
    assertThat(Users.runUser(snap, "app:staff", "Dockerfile:3:1: ")).isEqualTo("1000:50");
    assertThat(Users.runUser(snap, "", "Dockerfile:3:1: ")).isEqualTo("0:0");
    assertThat(Users.runUser(snap, "42", "Dockerfile:3:1: ")).isEqualTo("42:0");
    assertThat(Users.chown(snap, "app", "Dockerfile:4:1: ")).containsExactly(1000, 1001);
    assertThat(Users.chown(snap, "7", "Dockerfile:4:1: ")).containsExactly(7, 7);
    assertThat(Users.chown(snap, "app:0", "Dockerfile:4:1: ")).containsExactly(1000, 0);
  }

  @Test
  void anUnknownNameIsBadInputNamingTheFile() {
    assertThatThrownBy(() -> Users.runUser(snap, "nobody", "Dockerfile:3:1: "))
        .isInstanceOf(BuildException.class)
        .hasMessage("Dockerfile:3:1: USER nobody: no user \"nobody\" in the image's /etc/passwd")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
    assertThatThrownBy(() -> Users.chown(snap, "app:wheel", "Dockerfile:4:1: "))
        .hasMessage(
            "Dockerfile:4:1: --chown=app:wheel: no group \"wheel\" in the image's /etc/group");
  }

  @Test
  void aGarbledIdIsBadInputNotACrash() {
    assertThatThrownBy(() -> Users.runUser(snap, "broken", "Dockerfile:3:1: "))
        .isInstanceOf(BuildException.class)
        .hasMessage(
            "Dockerfile:3:1: USER broken: the image's /etc/passwd gives user \"broken\" the id"
                + " \"abc\"; expected a number");
    assertThatThrownBy(() -> Users.chown(snap, "app:odd", "Dockerfile:4:1: "))
        .isInstanceOf(BuildException.class)
        .hasMessageContaining("gives group \"odd\" the id \"-1\"; expected a number");
  }
}
