package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code stamp stats --no-stream} and {@code stamp top} on a container burning CPU. */
@RequiresRoot
@Timeout(120)
class StatsTopCliIT {

  final StampCliInProcess cli = new StampCliInProcess(() -> this.root);

  @TempDir Path tmp;
  Path root;
  ContainerRuntime runtime;
  final List<String> cgroupDirs = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    runtime = ContainerRuntime.open(new StampRoot(root));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    for (ContainerInfo i : runtime.list(true)) {
      i.config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
      runtime.remove(i.id(), true);
    }
    cgroupDirs.forEach(d -> assertThat(Path.of(d)).doesNotExist());
  }

  private String runDetached(String name, String script) throws Exception {
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs-" + name));
    String id =
        runtime.create(
            ContainerSpec.builder()
                .rootfs(rootfs)
                .name(name)
                .user("app")
                .network(new NetworkMode.None())
                .command(List.of("sh", "-c", script))
                .build());
    runtime.inspect(id).config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
    runtime.start(id, false).close();
    return id;
  }

  @Test
  void statsShowsCpuMemoryAndPidsOfABusyContainer() throws Exception {
    String id = runDetached("burner", "sleep 1000 & while :; do :; done");
    String idle = runDetached("idle", "exec sleep 1000");

    assertThat(cli.code("stats", "--no-stream", "burner", "idle")).as(cli.err()).isZero();
    List<String> lines = cli.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).split("\\s{3,}"))
        .containsExactly("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS");
    String[] burner = lines.get(1).split("\\s{3,}");
    assertThat(burner[0]).isEqualTo(id.substring(0, 12));
    assertThat(burner[1]).isEqualTo("burner");
    assertThat(Double.parseDouble(burner[2].replace("%", ""))).isGreaterThan(0);
    assertThat(burner[3]).matches("[0-9.]+(B|KiB|MiB|GiB) / [0-9.]+(KiB|MiB|GiB|TiB)");
    assertThat(burner[3]).doesNotStartWith("0B");
    assertThat(Long.parseLong(burner[5])).isGreaterThanOrEqualTo(2); // sh and sleep
    String[] quiet = lines.get(2).split("\\s{3,}");
    assertThat(quiet[1]).isEqualTo("idle");
    assertThat(Long.parseLong(quiet[5])).isEqualTo(1);
    assertThat(idle).isNotEqualTo(id);
  }

  @Test
  void statsWithoutArgumentsCoversRunningContainersAndShowsTheMemoryLimit() throws Exception {
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs-limited"));
    String id =
        runtime.create(
            ContainerSpec.builder()
                .rootfs(rootfs)
                .memoryBytes(64L << 20)
                .network(new NetworkMode.None())
                .command(List.of("sleep", "1000"))
                .build());
    runtime.inspect(id).config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
    runtime.start(id, false).close();

    assertThat(cli.code("stats", "--no-stream")).as(cli.err()).isZero();
    assertThat(cli.out()).contains(id.substring(0, 12)).contains(" / 64MiB");
  }

  @Test
  void topListsTheContainersProcessesWithHostPidsAndImageUsers() throws Exception {
    String id = runDetached("top", "sleep 1001 & while :; do :; done");
    List<String> dirs = runtime.inspect(id).config().orElseThrow().intent().cgroupDirs();
    List<Integer> inCgroup = new ArrayList<>();
    for (int i = 0; i < 100 && inCgroup.size() < 2; i++) {
      inCgroup = Cgroups.pids(Path.of(dirs.get(0)).resolve("cgroup.procs"));
      Thread.sleep(20);
    }

    assertThat(cli.code("top", "top")).as(cli.err()).isZero();
    List<String> lines = cli.out().lines().toList();
    assertThat(lines.get(0).split("\\s{3,}")).containsExactly("PID", "USER", "TIME", "CMD");
    List<String[]> rows =
        lines.subList(1, lines.size()).stream().map(l -> l.split("\\s{3,}")).toList();
    assertThat(rows)
        .extracting(r -> r[3])
        .contains("sleep 1001", "sh -c sleep 1001 & while :; do :; done");
    assertThat(rows).extracting(r -> r[1]).containsOnly("app");
    assertThat(rows)
        .extracting(r -> Integer.parseInt(r[0]))
        .containsExactlyInAnyOrderElementsOf(inCgroup);
    for (String[] r : rows) {
      assertThat(Path.of("/proc", r[0])).exists(); // host pids
      assertThat(r[2]).matches("\\d\\d:\\d\\d:\\d\\d");
    }
  }

  @Test
  void topOfAStoppedContainerIsOneLineAndExitOne() throws Exception {
    String id = runDetached("done", "true");
    runtime.wait(id);
    assertThat(cli.code("top", "done")).isEqualTo(1);
    assertThat(cli.err().lines()).hasSize(1);
    assertThat(cli.err()).contains("not running");
    assertThat(cli.code("top", "no-such-container")).isEqualTo(2);
    assertThat(Files.exists(root)).isTrue();
  }
}
