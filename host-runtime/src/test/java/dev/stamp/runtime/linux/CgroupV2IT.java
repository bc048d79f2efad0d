package dev.stamp.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.LocalNetworks;
import dev.stamp.runtime.container.RootfsSource;
import dev.stamp.runtime.container.RunningContainer;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup v2 code paths on a cgroup2 hierarchy this test mounts itself (this machine runs v1;
 * its v2 hierarchy has no memory/cpu/pids controller, so limits are covered by CgroupV2Test on a
 * directory laid out like cgroupfs): placement before the command runs, populated, cgroup.kill.
 */
@RequiresRoot
class CgroupV2IT {

  @TempDir Path tmp;
  Path mount;
  ContainerRuntime runtime;

  @BeforeEach
  void mountCgroup2() throws Exception {
    mount = Files.createDirectories(tmp.resolve("cgroup2"));
    if (LibC.INSTANCE.mount("none", mount.toString(), "cgroup2", 0, null) != 0) {
      throw new IllegalStateException(LibC.describe("mount cgroup2 on " + mount));
    }
    runtime =
        new ContainerRuntime(
            new StampRoot(tmp.resolve("root")),
            new CgroupV2(mount),
            RootfsSource.NONE,
            new LocalNetworks());
  }

  @AfterEach
  void unmount() throws Exception {
    for (var info : runtime.list(true)) {
      runtime.remove(info.id(), true);
    }
    LibC.INSTANCE.umount2(mount.toString(), LibC.MNT_DETACH);
  }

  @Test
  void containerIsPlacedBeforeItRunsAndKilledByCgroupKill() throws Exception {
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    String id =
        runtime.create(
            ContainerSpec.builder()
                .rootfs(rootfs)
                .command(List.of("sh", "-c", "cat /proc/self/cgroup; sleep 1000"))
                .build());
    Path dir = mount.resolve("stamp").resolve(id);
    try (RunningContainer c = runtime.start(id, false)) {
      // host view: the container's process is in stamp/<id>
      assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/cgroup")))
          .contains("0::/stamp/" + id);
      assertThat(Files.readString(dir.resolve("cgroup.events"))).contains("populated 1");
      awaitOutput(id); // the kill must not race the cat whose output is checked below
      Cgroups.killAll(List.of(dir));
      assertThat(c.awaitExit()).isEqualTo(137);
    }
    // its own view: the cgroup it joined before unsharing the cgroup namespace is its root, so
    // it was in it before the command's first instruction
    String out = new String(runtime.logs(id).entries().get(0).data());
    assertThat(out.lines().filter(l -> l.startsWith("0::"))).containsExactly("0::/");
    assertThat(Cgroups.populated(List.of(dir))).isFalse();
    runtime.remove(id, false);
    assertThat(dir).doesNotExist();
  }

  private void awaitOutput(String id) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (runtime.logs(id).entries().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }
}
