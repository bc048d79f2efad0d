package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Containers started from standbys (long-lived runtime) behave exactly like the others. */
@RequiresRoot
class StandbyIT {

  @TempDir Path tmp;
  Path rootfs;
  StampRoot root;
  ContainerRuntime runtime;

  @BeforeEach
  void setUp() throws Exception {
    rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    root = new StampRoot(tmp.resolve("root"));
    runtime =
        new ContainerRuntime(
            root,
            Cgroups.detect(),
            RootfsSource.NONE,
            new LocalNetworks(),
            Executors.newSingleThreadExecutor(),
            1);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ContainerInfo i : runtime.list(true)) {
      runtime.remove(i.id(), true);
    }
    runtime.closeStandbys();
    assertThat(Mountinfo.read().anyUnder(root.path())).isFalse();
    assertThat(root.path().resolve("standby")).isEmptyDirectory();
  }

  private Path standbyDir() throws Exception {
    for (int i = 0; i < 400 && runtime.standbysReady() == 0; i++) {
      Thread.sleep(25);
    }
    assertThat(runtime.standbysReady()).isEqualTo(1);
    try (var s = Files.list(root.path().resolve("standby"))) {
      return s.findFirst().orElseThrow();
    }
  }

  @Test
  void aStandbyBecomesTheNextContainerWithItsLimits() throws Exception {
    String standbyId = standbyDir().getFileName().toString();
    String id =
        runtime.create(
            ContainerSpec.builder()
                .rootfs(rootfs)
                .command(
                    List.of(
                        "sh",
                        "-c",
                        "echo $$ $(hostname) PATHS=$(env | grep -c ^PATH=);"
                            + " grep -E 'CapBnd|NoNewPrivs|Seccomp:' /proc/self/status;"
                            + " dd if=/dev/zero of=/dev/null bs=100M count=1"))
                .memoryBytes(32L << 20)
                .hostname("from-standby")
                .build());
    assertThat(id).isEqualTo(standbyId);
    int code;
    try (RunningContainer c = runtime.start(id, false)) {
      code = c.awaitExit();
    }
    assertThat(code).isEqualTo(137); // the memory limit written after the standby joined holds
    StringBuilder out = new StringBuilder();
    for (LogReader.Entry e : runtime.logs(id).entries()) {
      out.append(e.text());
    }
    assertThat(out.toString())
        .contains("1 from-standby PATHS=1")
        .contains("CapBnd:\t00000000a80425fb")
        .contains("NoNewPrivs:\t1")
        .as("the filter file came after the standby's mount namespace")
        .contains("Seccomp:\t2");
    List<String> cgroups = runtime.inspect(id).config().orElseThrow().intent().cgroupDirs();
    runtime.remove(id, false);
    // a long-lived runtime removes the emptied cgroups on its background thread, with the files
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (cgroups.stream().anyMatch(d -> Files.exists(Path.of(d)))
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    cgroups.forEach(d -> assertThat(Path.of(d)).doesNotExist());
  }

  @Test
  void aStandbyJoinsABridgeNetworkWhoseNamespaceFileCameAfterIt() throws Exception {
    // the standby's mount namespace is copied before the container's netns file is bind-mounted
    StampRoot bridged = new StampRoot(tmp.resolve("bridged"));
    dev.stamp.testkit.TestNetworks.Net net = dev.stamp.testkit.TestNetworks.unique();
    dev.stamp.runtime.network.NetworkManager networks =
        dev.stamp.runtime.network.NetworkManager.open(bridged);
    networks.saveNetwork(
        dev.stamp.runtime.network.NetworkConfig.of("bridge", net.bridge(), net.subnet()));
    ContainerRuntime longLived = ContainerRuntime.openLongLived(bridged, 1);
    try {
      for (int i = 0; i < 400 && longLived.standbysReady() == 0; i++) {
        Thread.sleep(25);
      }
      assertThat(longLived.standbysReady()).isEqualTo(1);
      String id =
          longLived.create(
              ContainerSpec.builder()
                  .rootfs(rootfs)
                  .command(List.of("ip", "-4", "-o", "addr", "show", "eth0"))
                  .build());
      int code;
      try (RunningContainer c = longLived.start(id, false)) {
        code = c.awaitExit();
      }
      StringBuilder out = new StringBuilder();
      for (LogReader.Entry e : longLived.logs(id).entries()) {
        out.append(e.text());
      }
      assertThat(code).as(out.toString()).isZero();
      String prefix = net.subnet().substring(0, net.subnet().lastIndexOf('.') + 1);
      assertThat(out.toString()).contains("inet " + prefix);
      longLived.remove(id, true);
    } finally {
      longLived.closeStandbys();
      networks.removeNetwork("bridge");
    }
  }

  @Test
  void standbysOfADeadOwnerAreSwept() throws Exception {
    Process owner =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StandbyOwner.class.getName(),
                root.path().toString())
            .redirectErrorStream(true)
            .start();
    Path dir = null;
    String ownerPid = Long.toString(owner.pid());
    for (int i = 0; i < 400 && dir == null; i++) {
      if (Files.isDirectory(root.path().resolve("standby"))) {
        try (var s = Files.list(root.path().resolve("standby"))) {
          for (Path p : s.toList()) {
            if (Files.exists(p.resolve("cgroups"))
                && Files.readString(p.resolve("owner")).startsWith(ownerPid + " ")) {
              dir = p;
            }
          }
        }
      }
      Thread.sleep(25);
    }
    assertThat(dir).isNotNull();
    List<Path> cgroups = Files.readAllLines(dir.resolve("cgroups")).stream().map(Path::of).toList();
    owner.destroyForcibly();
    assertThat(owner.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(200);
    ContainerRuntime.open(root); // any runtime opening the root sweeps dead owners' standbys
    assertThat(dir).doesNotExist();
    cgroups.forEach(d -> assertThat(d).doesNotExist());
  }

  @Test
  void anAdoptedStandbyIsRemovedByAnotherProcessShimAndAll() throws Exception {
    Process owner =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StandbyOwner.class.getName(),
                root.path().toString(),
                rootfs.toString())
            .start();
    try (var out =
        new java.io.BufferedReader(new java.io.InputStreamReader(owner.getInputStream()))) {
      String id = out.readLine();
      assertThat(id).matches("[0-9a-f]{64}");
      assertThat(CrashRecoveryIT.processesMentioning("/" + id + "/")).isNotEmpty(); // its shim
      ContainerRuntime.open(root).remove(id, false); // created, never started: no -f needed
      for (int i = 0;
          i < 100 && !CrashRecoveryIT.processesMentioning("/" + id + "/").isEmpty();
          i++) {
        Thread.sleep(20);
      }
      assertThat(CrashRecoveryIT.processesMentioning("/" + id + "/")).isEmpty();
      assertThat(owner.isAlive()).isTrue();
    } finally {
      owner.destroyForcibly();
      owner.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
