package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.testkit.HostCommand.Result;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampRootTest;
import dev.stamp.testkit.TestStateRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 2, sections 3 and 4: each {@code stamp run} flag reaches the container, and the runtime's
 * isolation points no other test covers (ipc namespace, the minimal /dev, /sys read-only, {@code
 * --network none} and {@code host}, users by name and number, {@code stamp inspect}).
 */
@RequiresRoot
@StampRootTest
@Timeout(180)
class RunFlagsCliIT {

  CliContainers containers;
  Path tmp;
  Path root;
  Path rootfs;
  ContainerRuntime runtime;

  @BeforeEach
  void setUp(TestStateRoot state) throws Exception {
    containers = new CliContainers(state);
    tmp = containers.tmp;
    root = containers.root;
    rootfs = containers.rootfs;
    runtime = containers.runtime;
  }

  @AfterEach
  void nothingLeft() throws Exception {
    containers.removeAll();
    containers.assertNothingLeft();
  }

  Result run(String... args) {
    return containers.run(args);
  }

  @Test
  void everyRunFlagReachesTheContainer() throws Exception {
    Path envFile = Files.writeString(tmp.resolve("env"), "# comment\nFROM_FILE=two\n");
    Path vol = Files.createDirectories(tmp.resolve("vol"));
    Files.writeString(vol.resolve("data"), "bound\n");
    String script =
        "id -u; id -g; pwd; echo $FROM_FLAG $FROM_FILE; hostname; cat /data/data;"
            + " touch /x 2>/dev/null || echo root-ro; touch /data/y 2>/dev/null || echo vol-ro;"
            + " cat /proc/1/comm; cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' '";
    Result r =
        run(
            "run",
            "--rm",
            "--rootfs",
            rootfs.toString(),
            "--network",
            "none",
            "-e",
            "FROM_FLAG=one",
            "--env-file",
            envFile.toString(),
            "-v",
            vol + ":/data:ro",
            "-h",
            "box",
            "-u",
            "app",
            "-w",
            "/home/app/work",
            "--read-only",
            "--init",
            "--entrypoint",
            "sh",
            "--", // with --rootfs no image ends the options
            "-c",
            script);
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.subList(0, 8))
        .containsExactly(
            "1000", "1000", "/home/app/work", "one two", "box", "bound", "root-ro", "vol-ro");
    assertThat(lines.get(8)).contains("stamp-ini"); // PID 1 is the init (comm memfd:stamp-init)
    assertThat(lines.subList(9, lines.size())).containsExactly("lo"); // --network none
  }

  @Test
  void usersByNumberAndGroupByName() throws Exception {
    Result numeric =
        run(
            "run",
            "--rm",
            "--network",
            "none",
            "--rootfs",
            rootfs.toString(),
            "-u",
            "4242:50",
            "id");
    assertThat(numeric).isEqualTo(new Result(0, "uid=4242 gid=50(staff) groups=50(staff)\n", ""));
    Result named =
        run(
            "run",
            "--rm",
            "--network",
            "none",
            "--rootfs",
            rootfs.toString(),
            "-u",
            "nobody:staff",
            "id");
    assertThat(named.out()).startsWith("uid=65534(nobody) gid=50(staff)");
  }

  @Test
  void ipcNamespaceMinimalDevAndReadOnlySys() throws Exception {
    String hostIpc = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
    String script =
        "readlink /proc/self/ns/ipc; ls /dev | tr '\\n' ' '; echo;"
            + " for d in null zero full random urandom tty; do stat -c '%n %F %t:%T' /dev/$d; done;"
            + " grep -E ' /sys | /dev/pts | /dev/shm ' /proc/self/mounts | cut -d' ' -f2,3,4;"
            + " touch /sys/kernel/x 2>/dev/null || echo sys-ro; head -c 4 /dev/full >/dev/null && echo full;"
            + " echo x > /dev/full 2>/dev/null || echo full-refuses-writes";
    Result r =
        run("run", "--rm", "--network", "none", "--rootfs", rootfs.toString(), "sh", "-c", script);
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("ipc:[").isNotEqualTo(hostIpc);
    assertThat(lines.get(1).split(" "))
        .containsExactlyInAnyOrder(
            "core", "fd", "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "stderr",
            "stdin", "stdout", "tty", "urandom", "zero");
    assertThat(lines.subList(2, 8))
        .containsExactly(
            "/dev/null character special file 1:3",
            "/dev/zero character special file 1:5",
            "/dev/full character special file 1:7",
            "/dev/random character special file 1:8",
            "/dev/urandom character special file 1:9",
            "/dev/tty character special file 5:0");
    List<String> mounts = lines.subList(8, lines.size() - 3);
    assertThat(mounts).anyMatch(m -> m.startsWith("/sys sysfs ro,"));
    assertThat(mounts).anyMatch(m -> m.startsWith("/dev/pts devpts "));
    assertThat(mounts).anyMatch(m -> m.startsWith("/dev/shm tmpfs "));
    assertThat(lines.subList(lines.size() - 3, lines.size()))
        .containsExactly("sys-ro", "full", "full-refuses-writes");
  }

  @Test
  void hostNetworkSeesTheHostsInterfaces() throws Exception {
    List<String> hostInterfaces =
        Files.readAllLines(Path.of("/proc/net/dev")).stream()
            .skip(2)
            .map(l -> l.split(":")[0].strip())
            .toList();
    Result r =
        run(
            "run",
            "--rm",
            "--rootfs",
            rootfs.toString(),
            "--network",
            "host",
            "sh",
            "-c",
            "cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' '");
    assertThat(r.code()).as(r.err()).isZero();
    // interfaces come and go (other tests' veths): the host's physical ones are there
    assertThat(r.out().lines()).contains("lo").hasSizeGreaterThan(1);
    assertThat(r.out().lines().filter(hostInterfaces::contains).count()).isGreaterThan(1);
  }

  @Test
  void limitsStopSignalAndInspectThroughTheCli() throws Exception {
    Result started =
        run(
            "run",
            "-d",
            "--name",
            "limited",
            "--rootfs",
            rootfs.toString(),
            "--network",
            "none",
            "--memory",
            "64m",
            "--cpus",
            "0.5",
            "--pids-limit",
            "50",
            "--stop-signal",
            "USR1",
            "--stop-timeout",
            "30",
            "sh",
            "-c",
            "trap 'echo got-usr1; exit 7' USR1; echo ready; while :; do sleep 0.1; done");
    assertThat(started.code()).as(started.err()).isZero();
    String id = started.out().strip();
    List<String> dirs = runtime.inspect(id).config().orElseThrow().intent().cgroupDirs();
    containers.cgroupDirs.addAll(dirs);
    assertThat(read(dirs, "memory.limit_in_bytes", "memory.max")).isEqualTo("67108864");
    assertThat(read(dirs, "cpu.cfs_quota_us", "cpu.max")).startsWith("50000");
    assertThat(read(dirs, "pids.max", "pids.max")).isEqualTo("50");

    Result inspect = run("inspect", "limited");
    assertThat(inspect.code()).as(inspect.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(inspect.out());
    JsonNode c = json.isArray() ? json.get(0) : json;
    assertThat(c.toString()).contains(id).contains("\"limited\"").contains("USR1");
    assertThat(c.toString().toLowerCase()).contains("running");

    for (int i = 0; i < 100 && !run("logs", "limited").out().contains("ready"); i++) {
      Thread.sleep(50);
    }
    Result stop = run("stop", "limited");
    assertThat(stop.code()).as(stop.err()).isZero();
    assertThat(run("logs", "limited").out()).isEqualTo("ready\ngot-usr1\n");
    assertThat(run("ps", "-a").out()).contains("Exited (7)");
    assertThat(run("rm", "limited").code()).isZero();
  }

  private static String read(List<String> dirs, String v1, String v2) throws Exception {
    for (String d : dirs) {
      for (String name : List.of(v1, v2)) {
        Path f = Path.of(d, name);
        if (Files.exists(f)) {
          return Files.readString(f).strip();
        }
      }
    }
    throw new AssertionError("no " + v1 + " or " + v2 + " in " + dirs);
  }
}
