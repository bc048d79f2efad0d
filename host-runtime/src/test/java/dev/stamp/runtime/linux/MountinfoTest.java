package dev.stamp.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountinfoTest {

  private static final List<String> HYBRID =
      List.of(
          "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
          "30 29 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755",
          "31 30 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu",
          "32 30 0:28 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct",
          "33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
          "34 30 0:30 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids",
          "35 30 0:31 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio",
          "36 30 0:32 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw");

  @Test
  void hybridHostIsV1WithTheUnifiedHierarchyForTracking() throws Exception {
    Cgroups c = Mountinfo.parse(HYBRID).cgroups();
    assertThat(c.version()).isEqualTo("v1");
    assertThat(c.dirsFor("x"))
        .containsExactly(
            Path.of("/sys/fs/cgroup/memory/stamp/x"),
            Path.of("/sys/fs/cgroup/cpu/stamp/x"),
            Path.of("/sys/fs/cgroup/cpuacct/stamp/x"),
            Path.of("/sys/fs/cgroup/pids/stamp/x"),
            Path.of("/sys/fs/cgroup/unified/stamp/x"));
  }

  @Test
  void unifiedHostIsV2() throws Exception {
    Cgroups c =
        Mountinfo.parse(List.of("29 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw")).cgroups();
    assertThat(c.version()).isEqualTo("v2");
    assertThat(c.dirsFor("x")).containsExactly(Path.of("/sys/fs/cgroup/stamp/x"));
  }

  @Test
  void comountedControllersShareADirectory() throws Exception {
    Cgroups c =
        Mountinfo.parse(
                List.of(
                    "31 30 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct"))
            .cgroups();
    assertThat(c.dirsFor("x")).containsExactly(Path.of("/sys/fs/cgroup/cpu,cpuacct/stamp/x"));
  }

  @Test
  void anyUnderFindsMountsBelowADirectory() {
    assertThat(Mountinfo.parse(HYBRID).anyUnder(Path.of("/sys/fs"))).isTrue();
    assertThat(Mountinfo.parse(HYBRID).anyUnder(Path.of("/var/lib/stamp"))).isFalse();
  }
}
