package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageUsersTest {

  @TempDir Path tmp;
  Path lower;
  Path upper;

  @BeforeEach
  void layers() throws Exception {
    lower = Files.createDirectories(tmp.resolve("l0/etc")).getParent();
    upper = Files.createDirectories(tmp.resolve("l1")).getParent().resolve("l1");
    Files.writeString(
        lower.resolve("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n");
    Files.writeString(lower.resolve("etc/group"), "root:x:0:\napp:x:1000:\nstaff:x:50:app\n");
  }

  private ImageUsers.User resolve(String user) throws Exception {
    return ImageUsers.resolve(List.of(lower, upper), Optional.ofNullable(user));
  }

  @Test
  void byNameNumberAndGroup() throws Exception {
    assertThat(resolve(null)).isEqualTo(new ImageUsers.User(0, 0, List.of(0), "/root"));
    assertThat(resolve("app"))
        .isEqualTo(new ImageUsers.User(1000, 1000, List.of(1000, 50), "/home/app"));
    assertThat(resolve("1000:staff"))
        .isEqualTo(new ImageUsers.User(1000, 50, List.of(50), "/home/app"));
    assertThat(resolve("4242")).isEqualTo(new ImageUsers.User(4242, 0, List.of(0), "/"));
    assertThat(resolve("4242:4343").gid()).isEqualTo(4343);
  }

  @Test
  void unknownNamesAreBadInput() {
    assertThatThrownBy(() -> resolve("nobody2"))
        .hasMessageContaining("unable to find user nobody2");
    assertThatThrownBy(() -> resolve("app:nogroup"))
        .hasMessageContaining("unable to find group nogroup");
  }

  @Test
  void topmostLayerWinsAndSymlinksResolveInsideTheImage() throws Exception {
    Files.createDirectories(upper.resolve("etc"));
    Files.writeString(upper.resolve("etc/passwd"), "svc:x:7:7::/srv:/bin/sh\n");
    assertThat(resolve("svc").uid()).isEqualTo(7);
    assertThatThrownBy(() -> resolve("app")).hasMessageContaining("unable to find user app");
    Files.delete(upper.resolve("etc/passwd"));
    Path host = Files.createDirectories(tmp.resolve("host-etc"));
    Files.writeString(host.resolve("passwd"), "hostonly:x:4242:4242::/:/bin/sh\n");
    Files.createSymbolicLink(upper.resolve("etc/passwd"), host.resolve("passwd"));
    assertThatThrownBy(() -> resolve("hostonly"))
        .as("the host's path is read inside the image, where nothing is")
        .hasMessageContaining("unable to find user hostonly");
    Files.delete(upper.resolve("etc/passwd"));
    Files.createDirectories(upper.resolve("usr/share"));
    Files.writeString(upper.resolve("usr/share/passwd"), "linked:x:9:9::/:/bin/sh\n");
    Files.createSymbolicLink(upper.resolve("etc/passwd"), Path.of("/../../usr/share/passwd"));
    assertThat(resolve("linked").uid()).as("a link inside the image is followed").isEqualTo(9);
    Files.delete(upper.resolve("etc/passwd"));
    Files.createSymbolicLink(upper.resolve("etc/passwd"), Path.of("/etc/passwd"));
    assertThatThrownBy(() -> resolve("app"))
        .hasMessageContaining("read the image's /etc/passwd")
        .hasMessageContaining("more than 40 symbolic links (a loop?)");
  }
}
