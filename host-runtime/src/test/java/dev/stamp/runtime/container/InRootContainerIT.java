package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.StampException;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 §1 on the container side: volume and bind targets, {@code --user} names and the drift
 * check resolve paths inside the image through chains of links and links to a host directory (a
 * canary stands for the host's files); a loop is refused naming the path.
 */
@RequiresRoot
class InRootContainerIT {

  @TempDir Path tmp;
  RuntimeFixture f;
  Path host;
  String canary;

  @BeforeEach
  void setUp() throws Exception {
    f = new RuntimeFixture(tmp);
    canary = "inroot-canary-content-" + UUID.randomUUID();
    host = Files.createTempDirectory(Path.of("/tmp"), "inroot-canary-");
    Files.writeString(host.resolve("passwd"), "hostonly:x:4242:4242:" + canary + ":/:/bin/sh\n");
    Files.writeString(host.resolve("group"), "hostonly:x:4242:\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      f.close();
    } finally {
      AtomicFiles.deleteTree(host);
    }
  }

  @Test
  void aBindTargetThroughAChainOfLinksStaysInsideAndIsNoDrift() throws Exception {
    Files.createSymbolicLink(f.rootfs.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(f.rootfs.resolve("b"), Path.of("/c"));
    Files.createSymbolicLink(f.rootfs.resolve("c"), host);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("f"), "x");
    String id =
        f.runtime.create(f.spec("sleep", "1000").mount(MountSpec.parse(src + ":/a/mnt")).build());
    f.runtime.start(id, false).close();
    assertThat(
            f.runtime
                .exec(
                    id, java.util.List.of("cat", host + "/mnt/f"), java.time.Duration.ofSeconds(10))
                .output())
        .isEqualTo("x");
    assertThat(RuntimeFixture.count(host)).as("the host directory the chain names").isEqualTo(2);
    assertThat(f.runtime.drift(id).paths())
        .as("the mount point the runtime made where the chain leads is not drift")
        .isEmpty();
  }

  @Test
  void aBindTargetThroughALoopIsRefusedNamingIt() throws Exception {
    Files.createSymbolicLink(f.rootfs.resolve("l1"), Path.of("/l2"));
    Files.createSymbolicLink(f.rootfs.resolve("l2"), Path.of("l1"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    String id = f.runtime.create(f.spec("true").mount(MountSpec.parse(src + ":/l1/mnt")).build());
    assertThatThrownBy(() -> f.runtime.start(id, false).close())
        .hasMessageContaining("/l1/mnt")
        .hasMessageContaining("symbolic links");
  }

  @Test
  void userNamesAreNeverLookedUpThroughTheImagesLinkToAHostDirectory() throws Exception {
    AtomicFiles.deleteTree(f.rootfs.resolve("etc"));
    Files.createSymbolicLink(f.rootfs.resolve("etc"), host);
    assertThatThrownBy(() -> f.runtime.create(f.spec("id").user("hostonly").build()))
        .hasMessageContaining("unable to find user hostonly")
        .hasMessageNotContaining(canary)
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }

  @Test
  void aPasswdLoopIsBadInputNamingIt() throws Exception {
    Files.delete(f.rootfs.resolve("etc/passwd"));
    Files.createSymbolicLink(f.rootfs.resolve("etc/passwd"), Path.of("../etc/./passwd"));
    assertThatThrownBy(() -> f.runtime.create(f.spec("id").user("app").build()))
        .hasMessageContaining("--user app: read the image's /etc/passwd")
        .hasMessageContaining("a loop?")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }
}
