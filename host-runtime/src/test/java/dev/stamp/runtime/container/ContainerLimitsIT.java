package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.linux.CgroupLimits;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresRoot
class ContainerLimitsIT {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new RuntimeFixture(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  @Test
  void memoryLimitKillsAnAllocationOverIt() throws Exception {
    RuntimeFixture.Result r =
        f.runId(
            f.spec("dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1")
                .memoryBytes(32L << 20)
                .build());
    assertThat(r.code()).isEqualTo(137);
    // the host (this JVM) is unaffected and a container without the limit does the same fine
    assertThat(f.run(f.spec("dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1").build()))
        .isZero();
  }

  @Test
  void pidsLimitStopsAForkLoop() throws Exception {
    RuntimeFixture.Result r =
        f.runId(
            f.spec(
                    "sh",
                    "-c",
                    "i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done;"
                        + " ls /proc | grep -c '^[0-9]'")
                .pidsLimit(10)
                .build());
    String out = f.stdout(r.id()).strip();
    assertThat(out.isEmpty() ? 0 : Integer.parseInt(out)).isLessThanOrEqualTo(10);
    assertThat(f.stderr(r.id())).contains("fork");
  }

  @Test
  void cpuQuotaHoldsWithinTenPercent() throws Exception {
    String id =
        f.runtime.create(
            f.spec("sh", "-c", "while :; do :; done & while :; do :; done")
                .limits(new CgroupLimits(0, 500, 0))
                .build());
    try (RunningContainer c = f.runtime.start(id, false)) {
      Thread.sleep(300); // let it reach steady state
      long cpu0 = f.runtime.cgroups().cpuUsageNanos(id);
      long wall0 = System.nanoTime();
      Thread.sleep(3000);
      long cpu1 = f.runtime.cgroups().cpuUsageNanos(id);
      long wall1 = System.nanoTime();
      double ratio = (double) (cpu1 - cpu0) / (wall1 - wall0);
      // at most the quota (+10%); that the quota is what held it back shows in the throttling
      // count (other load on the machine may keep it below the quota, never above)
      assertThat(ratio).as("cpu used per wall second with --cpus 0.5").isLessThanOrEqualTo(0.55);
      assertThat(throttledPeriods(id)).isPositive();
      f.runtime.stop(id, Duration.ZERO);
    }
  }

  private long throttledPeriods(String id) throws Exception {
    ContainerRecord c = f.runtime.inspect(id).config().orElseThrow();
    for (String dir : c.intent().cgroupDirs()) {
      if (dir.contains("/cpu/")) {
        for (String line : Files.readAllLines(Path.of(dir, "cpu.stat"))) {
          if (line.startsWith("nr_throttled ")) {
            return Long.parseLong(line.substring(13).strip());
          }
        }
      }
    }
    throw new AssertionError("no cpu cgroup in " + c.intent().cgroupDirs());
  }

  @Test
  void limitsAreWrittenToTheContainersCgroup() throws Exception {
    String id =
        f.runtime.create(
            f.spec("true").memoryBytes(64L << 20).cpuMillis(250).pidsLimit(42).build());
    ContainerRecord c = f.runtime.inspect(id).config().orElseThrow();
    for (String dir : c.intent().cgroupDirs()) {
      Path d = Path.of(dir);
      if (dir.contains("/memory/")) {
        assertThat(Files.readString(d.resolve("memory.limit_in_bytes")).strip())
            .isEqualTo(Long.toString(64L << 20));
      } else if (dir.contains("/pids/")) {
        assertThat(Files.readString(d.resolve("pids.max")).strip()).isEqualTo("42");
      } else if (dir.contains("/cpu/")) {
        assertThat(Files.readString(d.resolve("cpu.cfs_quota_us")).strip()).isEqualTo("25000");
      } else if (dir.contains("/devices/")) {
        assertThat(Files.readString(d.resolve("devices.list"))).contains("c 1:3 rwm");
      }
    }
  }
}
