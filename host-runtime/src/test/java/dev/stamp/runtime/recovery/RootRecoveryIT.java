package dev.stamp.runtime.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.RootOperations;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampRootTest;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestNetworks;
import dev.stamp.testkit.TestStateRoot;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The recovery pass on real files and real overlay mounts: what a killed build, pull or unpack
 * leaves is removed when the root is next opened; what a live process holds, what another root
 * holds and what the pass cannot identify as its own are left.
 */
@StampRootTest
@RequiresRoot
class RootRecoveryIT {

  /** A pid the kernel never hands out (above pid_max's ceiling): its process is always gone. */
  private static final String DEAD = "4194305-77";

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopProcesses() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void aKilledBuildsMountAndTempDirAreRemovedWhenTheRootIsNextOpened(TestStateRoot t)
      throws Exception {
    Path root = t.path();
    Path build = killedBuild(root, DEAD + "-aaaa");
    Path blob = file(root.resolve("images/tmp/blob-" + DEAD + "-bbbb"));
    Path layer = Files.createDirectories(root.resolve("layers/tmp-" + DEAD + "-cccc/etc"));
    Path op = file(root.resolve("ops/" + DEAD));
    assertThat(StateRootLeaks.find(root, List.of())).isNotEmpty(); // the mount

    RootRecovery.onOpen(new StampRoot(root));

    assertThat(build).doesNotExist();
    assertThat(blob).doesNotExist();
    assertThat(layer.getParent()).doesNotExist();
    assertThat(op).doesNotExist();
    assertThat(StateRootLeaks.find(root, List.of())).isEmpty();
    assertThat(root.resolve("stamp-root")).hasContent("format=1");
    assertThat(RootRecovery.of(new StampRoot(root)).check()).isEmpty();
  }

  @Test
  void whatALiveProcessHoldsIsLeftAlone(TestStateRoot t) throws Exception {
    Path root = t.path();
    Process sleeper = new ProcessBuilder("sleep", "300").start();
    started.add(sleeper);
    ProcessId live = ProcessId.of((int) sleeper.pid()).orElseThrow();
    String liveTag = live.pid() + "-" + live.startTime();
    Path liveBuild = killedBuild(root, liveTag + "-aaaa");
    Path liveBlob = file(root.resolve("images/tmp/blob-" + liveTag + "-bbbb"));
    Path mine = file(root.resolve("images/tmp/blob-" + RootOperations.tag() + "-cccc"));
    Path untagged = Files.createDirectories(root.resolve("build-tmp/build-1234"));
    file(root.resolve("ops/" + DEAD)); // something died: the pass runs
    file(root.resolve("ops/" + liveTag)); // and someone else works on the root

    RootRecovery.onOpen(new StampRoot(root));

    assertThat(liveBuild.resolve("from-1")).isDirectory();
    assertThat(mounted(liveBuild.resolve("from-1"))).isTrue();
    assertThat(liveBlob).exists();
    assertThat(mine).exists();
    assertThat(untagged).isDirectory(); // not tagged, and the root is not quiet
    assertThat(root.resolve("ops/" + DEAD)).doesNotExist();

    sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    List<String> removed = new ArrayList<>();
    assertThat(RootRecovery.of(new StampRoot(root)).fix(removed::add)).isEmpty();
    assertThat(removed)
        .anyMatch(l -> l.startsWith("removed mount " + liveBuild.resolve("from-1")))
        .anyMatch(l -> l.startsWith("removed build temp dir " + untagged));
    assertThat(liveBuild).doesNotExist();
    assertThat(untagged).doesNotExist();
    assertThat(mine).exists();
    Files.delete(mine);
  }

  @Test
  void oneRootsRecoveryNeverTouchesAnothers(TestStateRoot t) throws Exception {
    Path a = t.path();
    Path b = t.scratch().resolve("other-root");
    Path buildA = killedBuild(a, DEAD + "-aaaa");
    Path buildB = killedBuild(b, DEAD + "-aaaa");
    file(a.resolve("ops/" + DEAD));
    file(b.resolve("ops/" + DEAD));
    try {
      RootRecovery.onOpen(new StampRoot(a));

      assertThat(buildA).doesNotExist();
      assertThat(buildB.resolve("from-1")).isDirectory();
      assertThat(mounted(buildB.resolve("from-1"))).isTrue();
      assertThat(b.resolve("ops/" + DEAD)).exists();
      assertThat(RootRecovery.of(new StampRoot(b)).check())
          .extracting(Leftover::kind)
          .contains(Leftover.Kind.BUILD_MOUNT, Leftover.Kind.BUILD_TEMP);
    } finally {
      RootRecovery.onOpen(new StampRoot(b));
    }
    assertThat(buildB).doesNotExist();
    assertThat(StateRootLeaks.find(b, List.of())).isEmpty();
  }

  @Test
  void aRootOfANewerStampIsRefusedNamingTheFileAndNothingIsDeleted(TestStateRoot t)
      throws Exception {
    Path root = t.path();
    Path leftover = Files.createDirectories(root.resolve("build-tmp/" + DEAD + "-aaaa"));
    file(root.resolve("ops/" + DEAD));
    Files.writeString(root.resolve("stamp-root"), "format=2\n");

    assertThatThrownBy(() -> RootRecovery.onOpen(new StampRoot(root)))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining(root.resolve("stamp-root").toString())
        .hasMessageContaining("newer Stamp")
        .satisfies(
            e -> assertThat(((StampException) e).kind()).isEqualTo(StampException.Kind.BAD_INPUT));
    assertThat(leftover).isDirectory();

    Files.writeString(root.resolve("stamp-root"), "form");
    assertThatThrownBy(() -> RootRecovery.of(new StampRoot(root)).fix(l -> {}))
        .hasMessageContaining(root.resolve("stamp-root").toString())
        .hasMessageContaining("half-written, or not Stamp's");
    assertThat(leftover).isDirectory();
    Files.delete(root.resolve("stamp-root"));
  }

  @Test
  void aHalfWrittenRecordIsReportedWithItsFileAndKept(TestStateRoot t) throws Exception {
    Path root = t.path();
    String id = "ab".repeat(32);
    Path config = root.resolve("containers/" + id + "/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "{\"id\":\"" + id + "\",\"name\":\"half");
    Path notOurs = file(root.resolve("ops/someones-notes"));
    Path halfCreated = Files.createDirectories(root.resolve("containers/" + "cd".repeat(32)));
    file(root.resolve("ops/" + DEAD));

    List<Leftover> found = RootRecovery.of(new StampRoot(root)).check();
    assertThat(found)
        .anyMatch(l -> l.kind() == Leftover.Kind.BAD_RECORD && l.path().equals(config))
        .anyMatch(l -> l.kind() == Leftover.Kind.BAD_RECORD && l.path().equals(notOurs))
        .anyMatch( // reported, but ops/ is not quiet: not removed yet
            l ->
                l.kind() == Leftover.Kind.HALF_CREATED_CONTAINER
                    && l.path().equals(halfCreated)
                    && !l.fixable()
                    && l.detail().contains("another process works on the root"));
    assertThat(found.stream().filter(l -> l.kind() == Leftover.Kind.BAD_RECORD))
        .allMatch(l -> !l.fixable());

    RootRecovery.onOpen(new StampRoot(root));

    assertThat(config).exists();
    assertThat(notOurs).exists();
    assertThat(halfCreated).isDirectory(); // someone (the notes' writer?) may still work here
    Files.delete(notOurs);
    RootRecovery.of(new StampRoot(root)).fix(l -> {});
    assertThat(halfCreated).doesNotExist();
    assertThat(config).exists();
    deleteTree(config.getParent());
  }

  @Test
  void networkStateOfAContainerThatNoLongerExistsIsDetached(TestStateRoot t) throws Exception {
    Path root = t.path();
    NetworkManager net = NetworkManager.open(new StampRoot(root));
    TestNetworks.Net unique = TestNetworks.unique();
    net.saveNetwork(NetworkConfig.of("bridge", unique.bridge(), unique.subnet()));
    String gone = "9a".repeat(32);
    String kept = "9b".repeat(32);
    try {
      net.attach(gone, NetworkMode.defaultMode(), List.of());
      net.attach(kept, NetworkMode.defaultMode(), List.of());
      Files.createDirectories(root.resolve("containers").resolve(kept)); // its container exists
      file(root.resolve("ops/" + DEAD));
      // a flow the kernel tracks for the gone container's address (a datagram from the host)
      String address = net.attachment(gone).orElseThrow().ipAddress().orElseThrow();
      try (DatagramSocket socket = new DatagramSocket()) {
        socket.send(new DatagramPacket(new byte[] {1}, 1, InetAddress.getByName(address), 9));
      }
      assertThat(trackedFlowsTo(address)).as("a tracked flow to %s", address).isNotEmpty();

      List<Leftover> found = RootRecovery.of(new StampRoot(root)).check();
      assertThat(found)
          .filteredOn(l -> l.kind() == Leftover.Kind.ORPHAN_NETWORK)
          .extracting(Leftover::path)
          .containsExactly(root.resolve("netns").resolve(gone));

      RootRecovery.onOpen(new StampRoot(root));

      assertThat(net.containersWithNetworkState()).containsExactly(kept);
      assertThat(root.resolve("netns").resolve(gone)).doesNotExist();
      assertThat(mounted(root.resolve("netns").resolve(kept))).isTrue();
      assertThat(trackedFlowsTo(address))
          .as("the gone container's tracked flows are forgotten")
          .isEmpty();
    } finally {
      for (String id : net.containersWithNetworkState()) {
        net.detach(id);
      }
      net.removeNetwork("bridge");
      deleteTree(root.resolve("containers"));
    }
  }

  /** A build-tmp dir with a stamp-from overlay mounted in it, its intent record beside it. */
  private static Path killedBuild(Path root, String name) throws IOException {
    Path build = root.resolve("build-tmp").resolve(name);
    Path lower1 = Files.createDirectories(build.resolve("l1"));
    Path lower2 = Files.createDirectories(build.resolve("l2"));
    Files.writeString(lower1.resolve("a"), "a");
    Files.writeString(lower2.resolve("b"), "b");
    Path mp = Files.createDirectories(build.resolve("from-1"));
    Files.writeString(build.resolve("from-1.mount"), "overlay stamp-from " + mp + "\n");
    HostCommand.run(
            "mount",
            "-t",
            "overlay",
            "stamp-from",
            "-o",
            "ro,lowerdir=" + lower2 + ":" + lower1,
            mp.toString())
        .ok();
    assertThat(mp.resolve("a")).hasContent("a");
    return build;
  }

  private static boolean mounted(Path mp) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .anyMatch(l -> l.split(" ")[4].equals(mp.toString()));
  }

  private static Path file(Path p) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, "x");
    return p;
  }

  /** The kernel's tracked IPv4 flows whose original destination is {@code address}. */
  private static List<String> trackedFlowsTo(String address) {
    HostCommand.Result r = HostCommand.run("conntrack", "-L", "-f", "ipv4", "--orig-dst", address);
    return r.out().lines().filter(l -> !l.isBlank()).toList();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
