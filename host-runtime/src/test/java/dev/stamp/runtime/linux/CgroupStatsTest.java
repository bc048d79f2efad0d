package dev.stamp.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CgroupStats} over directories laid out like cgroupfs v1 and v2. */
class CgroupStatsTest {

  @TempDir Path tmp;

  private Path dir(String name, String... fileAndContent) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(name));
    for (int i = 0; i < fileAndContent.length; i += 2) {
      Files.writeString(d.resolve(fileAndContent[i]), fileAndContent[i + 1]);
    }
    return d;
  }

  @Test
  void v1ReadsEachControllersDirectory() throws Exception {
    Path memory =
        dir(
            "memory",
            "memory.usage_in_bytes",
            "10485760\n",
            "memory.limit_in_bytes",
            "67108864\n",
            "memory.stat",
            "cache 4096\ntotal_inactive_file 1048576\n");
    Path cpuacct = dir("cpuacct", "cpuacct.usage", "2500000000\n");
    Path pids = dir("pids", "pids.current", "3\n");

    assertThat(CgroupStats.read(List.of(memory, cpuacct, pids)))
        .isEqualTo(new CgroupStats(2_500_000_000L, 9_437_184, 67_108_864, 3));
  }

  @Test
  void v1WithoutALimitReportsZero() throws Exception {
    Path memory =
        dir(
            "memory",
            "memory.usage_in_bytes",
            "4096\n",
            "memory.limit_in_bytes",
            "9223372036854771712\n");
    assertThat(CgroupStats.read(List.of(memory)).memoryLimitBytes()).isZero();
  }

  @Test
  void v2ReadsOneDirectory() throws Exception {
    Path d =
        dir(
            "c",
            "cpu.stat",
            "usage_usec 1500\nuser_usec 1000\n",
            "memory.current",
            "8192\n",
            "memory.stat",
            "anon 4096\ninactive_file 4096\n",
            "memory.max",
            "max\n",
            "pids.current",
            "1\n");
    assertThat(CgroupStats.read(List.of(d))).isEqualTo(new CgroupStats(1_500_000, 4096, 0, 1));
    Files.writeString(d.resolve("memory.max"), "268435456\n");
    assertThat(CgroupStats.read(List.of(d)).memoryLimitBytes()).isEqualTo(268_435_456);
  }

  @Test
  void missingDirectoriesReadAsZero() {
    assertThat(CgroupStats.read(List.of(tmp.resolve("gone"))))
        .isEqualTo(new CgroupStats(0, 0, 0, 0));
  }

  @Test
  void cpuPercentIsCpuTimeOverWallTime() {
    CgroupStats before = new CgroupStats(1_000_000_000L, 0, 0, 1);
    CgroupStats after = new CgroupStats(1_500_000_000L, 0, 0, 1);
    assertThat(after.cpuPercentSince(before, 1_000_000_000L)).isEqualTo(50.0);
    assertThat(after.cpuPercentSince(before, 0)).isZero();
    assertThat(before.cpuPercentSince(after, 1_000_000_000L)).isZero();
  }
}
