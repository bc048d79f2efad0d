package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import dev.stamp.runtime.recovery.Leftover;
import dev.stamp.runtime.recovery.RootRecovery;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.RegistryFixture;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.StampRootTest;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestStateRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18's kill test: {@code kill -9} of real {@code stamp} processes (build with {@code COPY
 * --from} and RUN, pull from a real registry on 127.0.0.1, import, run, rm) at random instants, on
 * two state roots. After each kill the next command on that root succeeds, its recovery pass leaves
 * nothing a dead process made, and the other root is untouched; after removing everything no mount,
 * cgroup, netns, process or temp dir of either root remains. Seeded: the seed is printed ({@code
 * -Dstamp.killSeed=N} replays a run).
 */
@StampRootTest
@RequiresRoot
@Timeout(300)
class RecoveryKillCliIT {

  static final int KILLS = 30;
  static final String DOCKERFILE =
      "FROM base:1 AS a\n"
          + "RUN mkdir -p /out && echo a > /out/a && dd if=/dev/zero of=/out/big bs=1M count=8\n"
          + "FROM base:1 AS b\n"
          + "RUN echo b > /b\n"
          + "FROM base:1\n"
          + "COPY --from=a /out /out\n"
          + "COPY --from=b /b /b\n"
          + "RUN cat /out/a /b > /ab\n";

  @Test
  void killedCommandsLeaveNothingAndTheNextCommandSucceeds(TestStateRoot t) throws Exception {
    assumeTrue(BusyboxRootfs.available(), "needs busybox-static");
    assumeTrue(RegistryFixture.available(), "needs docker-registry");
    long seed = Long.getLong("stamp.killSeed", System.nanoTime());
    System.out.println("RecoveryKillCliIT seed: " + seed + " (-Dstamp.killSeed=" + seed + ")");
    Random rnd = new Random(seed);

    Path scratch = t.scratch();
    List<Path> roots = List.of(t.path(), scratch.resolve("root-b"));
    Path tar =
        BusyboxRootfs.tar(
            BusyboxRootfs.create(scratch.resolve("rootfs")), scratch.resolve("rootfs.tar"));
    Path ctx = Files.createDirectories(scratch.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);

    try (RegistryFixture registry = RegistryFixture.start()) {
      List<String> pullRefs = seedRegistry(registry, scratch.resolve("seed"));
      for (Path root : roots) {
        cli(root).run("import", tar.toString(), "base:1").ok();
      }
      String[] ops = {"build", "pull", "import", "run", "rm"};
      int[] pulls = new int[2];
      int leftByKills = 0;
      int mountsLeft = 0;
      int recoveredLines = 0;
      for (int i = 0; i < KILLS; i++) {
        int which = rnd.nextInt(4) == 0 ? 1 : 0;
        Path root = roots.get(which);
        Path other = roots.get(1 - which);
        String op = ops[i % ops.length];
        String[] args = args(op, root, tar, ctx, pullRefs.get(pulls[which]++ % pullRefs.size()), i);
        // every other build is killed the moment it holds its COPY --from overlay (the instant
        // issue 18 was about); everything else after a random delay
        boolean atMount = op.equals("build") && (i / ops.length) % 2 == 0;
        long delay = op.equals("build") ? 200 + rnd.nextInt(4000) : 200 + rnd.nextInt(1800);
        List<String> otherBefore = snapshot(other);

        Process p =
            new ProcessBuilder(cli(root).command(args))
                .redirectErrorStream(true)
                .redirectOutput(scratch.resolve("killed-" + i + ".log").toFile())
                .start();
        boolean ended =
            atMount ? !awaitBuildMount(root, p) : p.waitFor(delay, TimeUnit.MILLISECONDS);
        if (!ended) {
          p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String what =
            "kill "
                + i
                + " ("
                + op
                + " on root "
                + which
                + (atMount ? " at its stamp-from mount" : " after " + delay + " ms")
                + (ended ? ", ended first" : "")
                + ", seed "
                + seed
                + ")";

        List<String> left = leftovers(root);
        leftByKills += left.isEmpty() ? 0 : 1;
        mountsLeft += (int) left.stream().filter(l -> l.startsWith("mount ")).count();
        // the next command: the same one (a cached build, a fresh name), to its end
        HostCommand.Result next = cli(root).run(next(op, args, root, i));
        assertThat(next.code()).as(what + ": next " + op + ": " + next.err()).isZero();
        recoveredLines +=
            (int) next.err().lines().filter(l -> l.contains("recovery: removed")).count();
        assertThat(leftovers(root)).as(what + ": left after the next command").isEmpty();
        assertThat(snapshot(other)).as(what + ": the other root").isEqualTo(otherBefore);
      }
      System.out.println(
          "RecoveryKillCliIT: "
              + KILLS
              + " kills, "
              + leftByKills
              + " left something ("
              + mountsLeft
              + " build mounts); the next commands' recovery removed "
              + recoveredLines
              + " things");
      assertThat(leftByKills).as("kills that left something to recover").isPositive();
      assertThat(mountsLeft)
          .as("stamp-from mounts left by builds killed at their mount")
          .isPositive();
      for (Path root : roots) {
        removeEverything(root);
      }
    }
    for (Path root : roots) {
      assertThat(StateRootLeaks.find(root, List.of())).as("leaks of " + root).isEmpty();
      assertThat(leftovers(root)).isEmpty();
      assertThat(root.resolve("build-tmp")).satisfies(d -> assertThat(list(d)).isEmpty());
      assertThat(list(root.resolve("images/tmp"))).isEmpty();
      assertThat(list(root.resolve("ops"))).isEmpty();
      assertThat(Stream.of(HostCommand.run("ps", "-eo", "args").out().split("\n")))
          .noneMatch(l -> l.contains(root.toString()));
    }
  }

  /** The command line of one operation; each run and build is unique, so each does real work. */
  static String[] args(String op, Path root, Path tar, Path ctx, String pullRef, int i) {
    switch (op) {
      case "build":
        return new String[] {"build", "--no-cache", "-t", "built:" + i, ctx.toString()};
      case "pull":
        return new String[] {"pull", "-q", pullRef};
      case "import":
        return new String[] {"import", tar.toString(), "imported:" + i};
      case "run":
        return new String[] {
          "run", "-d", "--network", "none", "--name", "killed-" + i, "base:1", "sleep", "600"
        };
      default:
        return new String[] {"rm", "-f", "recovery-" + (i - 1)};
    }
  }

  /** Waits until a build on {@code root} has a mount under build-tmp; false if it ended first. */
  static boolean awaitBuildMount(Path root, Process p) throws Exception {
    String prefix = root.resolve("build-tmp") + "/";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (p.isAlive() && System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        if (line.split(" ")[4].startsWith(prefix)) {
          return true;
        }
      }
      Thread.sleep(1);
    }
    return false;
  }

  /** The command after a kill: the same, but a build may use its cache and a run needs a name. */
  static String[] next(String op, String[] killed, Path root, int i) {
    switch (op) {
      case "build":
        return Arrays.stream(killed).filter(a -> !a.equals("--no-cache")).toArray(String[]::new);
      case "run":
        return new String[] {
          "run", "-d", "--network", "none", "--name", "recovery-" + i, "base:1", "sleep", "600"
        };
      case "rm":
        boolean exists =
            cli(root).run("ps", "-a", "--no-trunc").ok().contains("recovery-" + (i - 1));
        return exists ? killed : new String[] {"ps", "-a"};
      default:
        return killed;
    }
  }

  /** Three images with 6 MB random layers in the registry (pushed by a seed root of their own). */
  static List<String> seedRegistry(RegistryFixture registry, Path seedRoot) throws Exception {
    List<String> refs = new ArrayList<>();
    ImageStore store = ImageStore.open(new StampRoot(seedRoot));
    for (int n = 0; n < 3; n++) {
      String ref = registry.host() + "/recovery-pull:" + n;
      byte[] layer = new byte[6 << 20];
      new Random(n).nextBytes(layer);
      Descriptor layerDesc = store.putBlob(MediaType.OCI_LAYER_TAR_GZIP, layer);
      Descriptor config =
          store.putConfig(
              ImageConfig.of(
                  Platform.of("linux", "amd64"),
                  "1970-01-01T00:00:00Z",
                  ContainerConfig.builder().cmd(List.of("true")).build(),
                  List.of(layerDesc.digest()),
                  null));
      store.tag(
          ImageReference.parse(ref),
          store.putManifest(ImageManifest.of(config, List.of(layerDesc))));
      cli(seedRoot).run("push", "-q", ref).ok();
      refs.add(ref);
    }
    return refs;
  }

  static StampCliProcess cli(Path root) {
    return new StampCliProcess(root).timeout(Duration.ofSeconds(90));
  }

  /** What the recovery pass removes (a pull's complete blobs stay as a cache until gc). */
  static List<String> leftovers(Path root) throws Exception {
    return RootRecovery.of(new StampRoot(root)).check().stream()
        .filter(l -> l.kind() != Leftover.Kind.UNREFERENCED_BLOB)
        .map(Leftover::describe)
        .toList();
  }

  /** Every path under a root (ops/ aside: its own op files come and go), to see it untouched. */
  static List<String> snapshot(Path root) throws Exception {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(root)) {
      return all.map(p -> root.relativize(p).toString())
          .filter(p -> !p.startsWith("ops/") && !p.startsWith("locks/"))
          .filter(p -> !p.startsWith("containers/") || p.split("/").length < 3)
          .sorted()
          .toList();
    }
  }

  static void removeEverything(Path root) throws Exception {
    String ids = cli(root).run("ps", "-aq", "--no-trunc").ok().strip();
    if (!ids.isEmpty()) {
      List<String> args = new ArrayList<>(List.of("rm", "-f"));
      args.addAll(Arrays.asList(ids.split("\\s+")));
      cli(root).run(args.toArray(String[]::new)).ok();
    }
    HostCommand.Result check = cli(root).run("system", "check", "--fix");
    assertThat(check.code()).as(check.out() + check.err()).isZero();
  }

  static List<Path> list(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
