package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresRoot
class ContainerIsolationIT {

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
  void exitCodeAndOutputAreRecorded() throws Exception {
    RuntimeFixture.Result r = f.runId(f.spec("sh", "-c", "echo out; echo err >&2; exit 3").build());
    assertThat(r.code()).isEqualTo(3);
    assertThat(f.stdout(r.id())).isEqualTo("out\n");
    assertThat(f.stderr(r.id())).isEqualTo("err\n");
    ContainerInfo info = f.runtime.inspect(r.id());
    assertThat(info.state().status()).isEqualTo(ContainerStatus.EXITED);
    assertThat(info.state().exitCode()).contains(3);
  }

  @Test
  void commandIsPidOneWithItsOwnHostname() throws Exception {
    String out = f.sh("echo $$; hostname").lines().toList().toString();
    assertThat(out).startsWith("[1, ");
    assertThat(f.run(f.spec("sh", "-c", "test $(hostname) = web1").hostname("web1").build()))
        .isZero();
  }

  @Test
  void hasDockersCapabilitiesAndNoNewPrivs() throws Exception {
    String status = f.sh("cat /proc/self/status");
    assertThat(status).contains("NoNewPrivs:\t1").contains("CapBnd:\t00000000a80425fb");
    assertThat(status).contains("CapEff:\t00000000a80425fb");
    String asUser = f.stdout(f.runId(f.spec("cat", "/proc/self/status").user("app").build()).id());
    assertThat(asUser).contains("CapEff:\t0000000000000000").contains("Uid:\t1000\t1000");
  }

  /**
   * Docker's masked files and directories, written out here so a path dropped from Stamp's list
   * shows.
   */
  static final List<String> DOCKER_MASKED_FILES =
      List.of(
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/interrupts");

  static final List<String> DOCKER_MASKED_DIRS =
      List.of(
          "/proc/acpi",
          "/proc/asound",
          "/proc/scsi",
          "/sys/firmware",
          "/sys/devices/virtual/powercap");

  @Test
  void maskedPathsAreDevNullOrAnEmptyReadOnlyTmpfsAndReadOnlyPathsReadOnly() throws Exception {
    // The container's /proc and /sys show this kernel's entries, as the host's do: each masked
    // path the host has must be there in the container, masked (an absent one would fail too).
    List<String> files =
        DOCKER_MASKED_FILES.stream().filter(p -> Files.exists(Path.of(p))).toList();
    List<String> dirs =
        DOCKER_MASKED_DIRS.stream().filter(p -> Files.isDirectory(Path.of(p))).toList();
    assertThat(files).as("masked files this host has").isNotEmpty();
    assertThat(dirs).as("masked directories this host has").isNotEmpty();
    StringBuilder script = new StringBuilder();
    StringBuilder expected = new StringBuilder();
    for (String file : files) {
      script.append("stat -c '%n %F %t:%T' ").append(file).append(";");
      expected.append(file).append(" character special file 1:3\n");
    }
    for (String dir : dirs) {
      script
          .append("stat -f -c '%n %T' ")
          .append(dir)
          .append("; ls -A ")
          .append(dir)
          .append(" | wc -l; touch ")
          .append(dir)
          .append("/x 2>/dev/null && echo writable || echo ro;");
      expected.append(dir).append(" tmpfs\n0\nro\n");
    }
    script.append(" echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo writable || echo ro");
    expected.append("ro\n");
    assertThat(f.sh(script.toString())).isEqualTo(expected.toString());
  }

  @Test
  void cannotSeeHostProcessesOrMounts() throws Exception {
    String out = f.sh("echo $(ls /proc | grep '^[0-9]'); cut -d' ' -f5 /proc/self/mountinfo");
    List<String> lines = out.lines().toList();
    // only sh, ls and grep: pids 1.., nothing of the host's
    assertThat(lines.get(0).split(" ")).containsOnly("1", "2", "3", "4");
    List<String> mountPoints = lines.subList(1, lines.size());
    assertThat(mountPoints).contains("/", "/proc", "/dev", "/sys", "/etc/hosts");
    assertThat(mountPoints)
        .allMatch(
            m -> m.equals("/") || m.matches("/(proc|dev|sys|etc)(/.*)?"),
            "a mount point of the container's own");
  }

  @Test
  void fdsAboveTwoDoNotLeak() throws Exception {
    assertThat(f.sh("ls /proc/self/fd | sort -n | tr '\\n' ' '")).isEqualTo("0 1 2 3 ");
  }

  @Test
  void execFailureIsReportedAndCleaned() throws Exception {
    String id = f.runtime.create(f.spec("nosuch").build());
    assertThatThrownBy(() -> f.runtime.start(id, false))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("exec \"nosuch\": No such file or directory")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
    f.runtime.remove(id, false);
    assertThat(f.runtime.list(true)).isEmpty();
  }

  @Test
  void unknownUserIsBadInputBeforeAnythingExists() {
    assertThatThrownBy(() -> f.runtime.create(f.spec("true").user("nosuchuser").build()))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("unable to find user nosuchuser");
    assertThat(f.runtime.list(true)).isEmpty();
  }

  @Test
  void malformedMemoryIsBadInput() {
    assertThatThrownBy(() -> SpecText.memoryBytes("--memory", "12q"))
        .hasMessage("--memory 12q: expected a size like 256m or 1g");
  }

  @Test
  void ownCgroupIsTheCgroupRoot() throws Exception {
    String out = f.sh("cat /proc/self/cgroup");
    for (String line : out.lines().toList()) {
      if (line.contains(":memory:") || line.contains(":pids:") || line.startsWith("0::")) {
        assertThat(line).endsWith(":/");
      }
    }
    assertThat(out).contains(":memory:/");
  }

  @Test
  void procOrDevSymlinkInImageIsRefused() throws Exception {
    Path hostDir = Files.createDirectories(tmp.resolve("host-target"));
    Files.delete(f.rootfs.resolve("proc"));
    Files.createSymbolicLink(f.rootfs.resolve("proc"), hostDir);
    String id = f.runtime.create(f.spec("true").build());
    assertThatThrownBy(() -> f.runtime.start(id, false)).hasMessageContaining("/proc is a symlink");
    Files.delete(f.rootfs.resolve("proc"));
    Files.createDirectory(f.rootfs.resolve("proc"));
    Files.delete(f.rootfs.resolve("dev"));
    Files.createSymbolicLink(f.rootfs.resolve("dev"), hostDir);
    String id2 = f.runtime.create(f.spec("true").build());
    assertThatThrownBy(() -> f.runtime.start(id2, false)).hasMessageContaining("/dev is a symlink");
    assertThat(RuntimeFixture.count(hostDir)).isZero();
    assertThat(Mountinfo.read().anyUnder(hostDir)).isFalse();
  }
}
