package dev.stamp.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** v2 limits, written into a directory laid out like cgroupfs (no v2 controllers on this host). */
class CgroupV2Test {

  @TempDir Path fake;

  @Test
  void enablesControllersAndWritesLimits() throws Exception {
    Files.writeString(fake.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    Files.writeString(fake.resolve("cgroup.subtree_control"), "");
    CgroupV2 v2 = new CgroupV2(fake);
    v2.create("c1", new CgroupLimits(256L << 20, 500, 64));
    assertThat(Files.readString(fake.resolve("cgroup.subtree_control")))
        .isEqualTo("+memory +cpu +pids");
    assertThat(Files.readString(fake.resolve("stamp/cgroup.subtree_control")))
        .isEqualTo("+memory +cpu +pids");
    Path dir = fake.resolve("stamp/c1");
    assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo("268435456");
    assertThat(Files.readString(dir.resolve("cpu.max"))).isEqualTo("50000 100000");
    assertThat(Files.readString(dir.resolve("pids.max"))).isEqualTo("64");
    assertThat(v2.procsFiles("c1")).containsExactly(dir.resolve("cgroup.procs"));
  }

  @Test
  void missingControllerIsAClearError() throws Exception {
    Files.writeString(fake.resolve("cgroup.controllers"), "hugetlb\n");
    assertThatThrownBy(() -> new CgroupV2(fake).create("c1", new CgroupLimits(1 << 30, 0, 0)))
        .hasMessageContaining("controller memory is not available")
        .hasMessageContaining("hugetlb");
  }

  @Test
  void noLimitsNeedNoControllers() throws Exception {
    Files.writeString(fake.resolve("cgroup.controllers"), "");
    new CgroupV2(fake).create("c1", CgroupLimits.NONE);
    assertThat(fake.resolve("stamp/c1")).isDirectory();
  }

  @Test
  void populatedComesFromCgroupEvents() throws Exception {
    Path dir = Files.createDirectories(fake.resolve("stamp/c1"));
    Files.writeString(dir.resolve("cgroup.events"), "populated 1\nfrozen 0\n");
    assertThat(Cgroups.populated(java.util.List.of(dir))).isTrue();
    Files.writeString(dir.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
    assertThat(Cgroups.populated(java.util.List.of(dir))).isFalse();
  }
}
