package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.linux.ShimLauncher;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Containers started ahead of need, for a long-lived runtime: each standby already has its id, its
 * cgroups and a first process in fresh namespaces that has joined them (a cgroup v1 migration costs
 * an RCU grace period, milliseconds, on every start otherwise). {@code create} adopts one; {@code
 * start} hands it the full spec. Standbys live in {@code ROOT/standby/<id>} (an {@code owner} file
 * names this JVM, {@code cgroups} lists what to remove) and are swept once their owner is gone.
 */
final class StandbyPool {

  /** A standby ready to be assigned. */
  record Standby(String id, Path dir, ShimLauncher.Standby shim) {}

  private final Path root;
  private final ContainerStore store;
  private final Cgroups cgroups;
  private final Supplier<ShimLauncher> launcher;
  private final int size;
  private final Executor background;
  private final ConcurrentLinkedDeque<Standby> ready = new ConcurrentLinkedDeque<>();
  private final AtomicBoolean refilling = new AtomicBoolean();

  StandbyPool(
      Path root,
      ContainerStore store,
      Cgroups cgroups,
      Supplier<ShimLauncher> launcher,
      int size,
      Executor background) {
    this.root = root;
    this.store = store;
    this.cgroups = cgroups;
    this.launcher = launcher;
    this.size = size;
    this.background = background;
  }

  int readyCount() {
    return ready.size();
  }

  /** A ready standby, if any (never waits); a refill is scheduled either way. */
  Optional<Standby> take() {
    Optional<Standby> s = Optional.ofNullable(ready.pollFirst());
    refillLater();
    return s;
  }

  void refillLater() {
    if (refilling.compareAndSet(false, true)) {
      background.execute(
          () -> {
            try {
              while (ready.size() < size) {
                ready.addLast(prepare());
              }
            } catch (HostRuntimeException | IOException | RuntimeException e) {
              // no standby this time: create falls back to the normal path
            } finally {
              refilling.set(false);
            }
          });
    }
  }

  private Standby prepare() throws HostRuntimeException, IOException {
    String id = ContainerStore.newId();
    Path dir = Files.createDirectories(root.resolve(id));
    ProcessId me = ProcessId.of((int) ProcessHandle.current().pid()).orElseThrow();
    Files.writeString(dir.resolve("owner"), me.pid() + " " + me.startTime() + "\n");
    List<Path> dirs = cgroups.dirsFor(id);
    Files.write(dir.resolve("cgroups"), dirs.stream().map(Path::toString).toList());
    cgroups.makeDirs(id);
    ShimSpec spec = new ShimSpec().put("id", id).put("new_net", "1");
    dirs.forEach(d -> spec.put("cgroup", d.resolve("cgroup.procs").toString()));
    Files.write(dir.resolve("standby.spec"), spec.bytes());
    ContainerFactory.writeFiles(dir, ContainerFactory.defaultHostname(id), false);
    ShimLauncher.Standby shim =
        launcher
            .get()
            .spawnStandby(dir.resolve("standby.spec"), dir.resolve("shim.log"), "prepare standby");
    return new Standby(id, dir, shim);
  }

  /**
   * Moves the standby's directory to {@code containers/<id>} with config.json in it: the rename
   * publishes both at once.
   */
  void adopt(Standby s, ContainerRecord config) throws IOException {
    ContainerRecordJson.write(config, s.dir().resolve("config.json"));
    Files.createDirectories(store.dir(config.id()).getParent());
    Files.move(s.dir(), store.dir(config.id()), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Discards every ready standby (their shims exit; their cgroups are removed). */
  void close() {
    Standby s;
    while ((s = ready.pollFirst()) != null) {
      s.shim().discard();
    }
    sweep(root, true);
  }

  /**
   * Removes standbys whose owner process is gone (and, with {@code mine}, this JVM's, once
   * discarded): their shims have exited with the owner's control pipe; what is left is cgroups and
   * a directory.
   */
  static void sweep(Path root, boolean mine) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path dir : dirs) {
        if (mine ? ownedByMe(dir) || !ownerAlive(dir) : !ownerAlive(dir)) {
          try {
            List<Path> cgroupDirs =
                Files.readAllLines(dir.resolve("cgroups")).stream().map(Path::of).toList();
            Cgroups.killAndDrain(cgroupDirs);
            Cgroups.remove(cgroupDirs);
          } catch (IOException | HostRuntimeException e) {
            // no cgroups recorded yet, or busy: a later sweep retries
          }
          deleteTree(dir);
        }
      }
    } catch (IOException e) {
      // best effort
    }
  }

  private static boolean ownedByMe(Path dir) {
    try {
      String owner = Files.readString(dir.resolve("owner")).strip().split(" ")[0];
      return Long.parseLong(owner) == ProcessHandle.current().pid();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean ownerAlive(Path dir) {
    try {
      String[] owner = Files.readString(dir.resolve("owner")).strip().split(" ");
      return new ProcessId(Integer.parseInt(owner[0]), Long.parseLong(owner[1])).isAlive();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort
    }
  }
}
