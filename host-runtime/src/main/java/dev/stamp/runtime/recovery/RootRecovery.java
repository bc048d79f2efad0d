package dev.stamp.runtime.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.fs.LockFile;
import dev.stamp.runtime.fs.RootFormat;
import dev.stamp.runtime.fs.RootOperations;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.NetworkManager;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery pass of a state root: finds what killed processes (builds, pulls, imports, container
 * creates and removals) left and removes it, never touching what a live process holds.
 *
 * <p>Ownership: temp things are named after the process that makes them ({@link RootOperations}
 * tags: {@code build-tmp/<pid>-<start>-…}, {@code images/tmp/blob-<pid>-<start>-…}, {@code
 * layers/tmp-<pid>-<start>-…}); one whose process is alive, or whose op file is locked, is left
 * alone. Untagged things in Stamp's own temp places (written by an older Stamp, or the controller's
 * exported contexts) and half-created containers are removed only when no other process works on
 * the root. A RUN step's container belongs to the build whose temp dir holds its upper dir. What
 * cannot be attributed (a mount under the root that no record explains, a record that cannot be
 * read, a file in {@code ops/} that is not an op file) is reported, never removed.
 *
 * <p>{@link #onOpen} is what every process runs when it opens a root: the marker check, then a look
 * at {@code ops/} (one directory read) and, only when a process died there, the full pass under the
 * root's lock; then it registers itself. {@link #check} and {@link #fix} are {@code stamp system
 * check [--fix]}.
 */
public final class RootRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(RootRecovery.class);

  /** Made on first use: the warm path (nothing died) never reads a record. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private final StampRoot root;
  private final Path path;

  private RootRecovery(StampRoot root) {
    this.root = root;
    this.path = root.path();
  }

  public static RootRecovery of(StampRoot root) {
    return new RootRecovery(root);
  }

  /**
   * What every process that opens {@code root} runs first: refuses a root of a newer Stamp (or with
   * a marker that is not one) naming the file, recovers what dead processes left when there are any
   * (one warning line per thing removed), and registers this process as working on the root. A root
   * that does not exist yet is left alone.
   */
  public static void onOpen(StampRoot root) throws HostRuntimeException {
    Path path = root.path();
    if (!Files.isDirectory(path)) {
      return;
    }
    if (!Files.isWritable(path)) {
      // a reader without write access (ps as another user) makes nothing and can remove nothing
      RootFormat.checkReadOnly(path);
      return;
    }
    RootFormat.check(path);
    try {
      // registered first: what the pass itself opens (a runtime, a store) then registers nothing
      RootOperations.register(path);
      if (anyDead(path)) {
        RootRecovery recovery = new RootRecovery(root);
        try (LockFile.Held held = LockFile.of(path.resolve(RootOperations.ROOT_LOCK)).exclusive()) {
          if (anyDead(path)) {
            recovery.apply(recovery.scan(false), line -> LOG.warn("recovery: {}", line));
          }
        }
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "open state root " + path + ": recovery: " + e.getMessage(), e);
    }
  }

  /** Whether an op file names a process that is gone (the trace a kill -9 leaves). */
  private static boolean anyDead(Path path) throws IOException {
    for (Path file : RootOperations.others(path)) {
      Optional<ProcessId> owner = RootOperations.owner(file.getFileName().toString());
      if (owner.isPresent() && !RootOperations.isLive(path, owner.get())) {
        return true;
      }
    }
    return false;
  }

  /** Everything the root should not hold, changing nothing ({@code stamp system check}). */
  public List<Leftover> check() throws HostRuntimeException {
    RootFormat.check(path);
    return scan(true);
  }

  /**
   * Removes every fixable leftover under the root's lock, {@code log} getting one line per thing
   * removed, and returns what is left afterwards ({@code stamp system check --fix}).
   */
  public List<Leftover> fix(Consumer<String> log) throws HostRuntimeException {
    RootFormat.check(path);
    try {
      RootOperations.register(path);
    } catch (IOException e) {
      throw HostRuntimeException.failed("recover state root " + path + ": " + e.getMessage(), e);
    }
    try (LockFile.Held held = LockFile.of(path.resolve(RootOperations.ROOT_LOCK)).exclusive()) {
      apply(scan(true), log);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "recover state root " + path + ": lock: " + e.getMessage(), e);
    }
    return scan(true);
  }

  // --- the scan ---

  /** What the pass finds; {@code full} adds the costly look at unreferenced blobs. */
  List<Leftover> scan(boolean full) throws HostRuntimeException {
    if (!Files.isDirectory(path)) {
      return List.of();
    }
    List<Leftover> found = new ArrayList<>();
    boolean quiet = operations(found);
    mounts(found, quiet);
    temps(found, path.resolve("build-tmp"), "", Leftover.Kind.BUILD_TEMP, quiet);
    temps(found, path.resolve("controller/build-tmp"), "", Leftover.Kind.BUILD_TEMP, quiet);
    temps(found, path.resolve("images/tmp"), "blob-", Leftover.Kind.PARTIAL_BLOB, quiet);
    temps(found, path.resolve("layers"), LayerStore.TEMP_PREFIX, Leftover.Kind.LAYER_TEMP, quiet);
    containers(found, quiet);
    networks(found);
    if (full && Files.isDirectory(path.resolve("images/blobs"))) {
      for (Digest d : ImageStore.open(root).unreferenced()) {
        found.add(
            new Leftover(
                Leftover.Kind.UNREFERENCED_BLOB,
                path.resolve("images/blobs/sha256").resolve(d.hex()),
                "no image in index.json uses it",
                true));
      }
    }
    return found;
  }

  /** Op files of dead processes; true when no other process works on the root now. */
  private boolean operations(List<Leftover> found) throws HostRuntimeException {
    boolean quiet = true;
    try {
      for (Path file : RootOperations.others(path)) {
        String name = file.getFileName().toString();
        boolean temp = name.startsWith(".") && name.endsWith(".tmp"); // a registration's
        Optional<ProcessId> owner = RootOperations.owner(temp ? name.substring(1) : name);
        if (owner.isEmpty()) {
          quiet = false; // someone else's file: assume someone works here
          found.add(
              new Leftover(
                  Leftover.Kind.BAD_RECORD,
                  file,
                  "not an op file of Stamp's (names no PID-STARTTIME); left as it is",
                  false));
        } else if (RootOperations.isLive(path, owner.get())) {
          quiet = false;
        } else {
          found.add(
              new Leftover(
                  Leftover.Kind.DEAD_OPERATION,
                  file,
                  "process " + owner.get().pid() + " ended without cleaning up",
                  true));
        }
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed("recover " + path + ": list ops/: " + e.getMessage(), e);
    }
    return quiet;
  }

  /** Whether what carries {@code name} (after its prefix) belongs to no live process. */
  private boolean ownerGone(String name, boolean quiet) {
    Optional<ProcessId> owner = RootOperations.owner(name);
    return owner.map(o -> !RootOperations.isLive(path, o)).orElse(quiet);
  }

  private void mounts(List<Leftover> found, boolean quiet) throws HostRuntimeException {
    Path buildTmp = path.resolve("build-tmp");
    Path netns = path.resolve("netns");
    for (Mountinfo.Entry e : Mountinfo.read().entries()) {
      Path mp = e.mountPoint();
      if (!mp.startsWith(path) || mp.equals(path)) {
        continue;
      }
      if (mp.startsWith(buildTmp) && mp.getNameCount() > buildTmp.getNameCount()) {
        String build = mp.getName(buildTmp.getNameCount()).toString();
        if (ownerGone(build, quiet)) {
          found.add(
              new Leftover(
                  Leftover.Kind.BUILD_MOUNT,
                  mp,
                  e.fsType() + " of a build whose process is gone",
                  true));
        }
      } else if (mp.getParent().equals(netns) && e.fsType().equals("nsfs")) {
        continue; // a container's netns file: networks() judges it
      } else {
        found.add(
            new Leftover(
                Leftover.Kind.UNEXPLAINED_MOUNT,
                mp,
                e.fsType() + " that no record of this root explains; left mounted",
                false));
      }
    }
  }

  private void temps(
      List<Leftover> found, Path dir, String prefix, Leftover.Kind kind, boolean quiet) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, prefix + "*")) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString().substring(prefix.length());
        if (ownerGone(name, quiet)) {
          found.add(new Leftover(kind, entry, ownerText(name), true));
        }
      }
    } catch (NoSuchFileException e) {
      // none
    } catch (IOException e) {
      found.add(new Leftover(Leftover.Kind.BAD_RECORD, dir, "cannot list: " + e, false));
    }
  }

  private static String ownerText(String name) {
    return RootOperations.owner(name)
        .map(o -> "left by process " + o.pid() + ", which is gone")
        .orElse("left by an earlier Stamp; no process works on the root now");
  }

  private void containers(List<Leftover> found, boolean quiet) {
    Path containers = path.resolve("containers");
    for (Path entry : ContainerRuntime.retiredLeftovers(root)) {
      found.add(
          new Leftover(
              Leftover.Kind.RETIRED_CONTAINER, entry, "rm was stopped before deleting it", true));
    }
    Path buildTmp = path.resolve("build-tmp");
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(containers)) {
      for (Path dir : dirs) {
        String id = dir.getFileName().toString();
        if (!id.matches("[0-9a-f]{64}")) {
          continue;
        }
        Path config = dir.resolve("config.json");
        if (!Files.exists(config)) {
          found.add(
              new Leftover(
                  Leftover.Kind.HALF_CREATED_CONTAINER,
                  dir,
                  "no config.json: its create was stopped before the record was written"
                      + busy(quiet),
                  quiet));
          continue;
        }
        JsonNode record;
        try {
          record = Json.MAPPER.readTree(config.toFile());
        } catch (IOException e) {
          record = null;
        }
        if (record == null || !record.isObject() || !id.equals(record.path("id").asText())) {
          found.add(
              new Leftover(
                  Leftover.Kind.BAD_RECORD,
                  config,
                  "not a whole container record (half-written, or not Stamp's); left as it is",
                  false));
          continue;
        }
        String upper = record.path("upperDir").asText("");
        if (!upper.isEmpty() && Path.of(upper).startsWith(buildTmp)) {
          Path u = Path.of(upper);
          if (u.getNameCount() > buildTmp.getNameCount()
              && ownerGone(u.getName(buildTmp.getNameCount()).toString(), quiet)) {
            found.add(
                new Leftover(
                    Leftover.Kind.BUILD_CONTAINER,
                    dir,
                    "a RUN step of a build that is gone",
                    true));
          }
        } else if (!Files.isDirectory(dir.resolve("rootfs"))) {
          found.add(
              new Leftover(
                  Leftover.Kind.CONTAINER_WITHOUT_ROOTFS,
                  dir,
                  "its create was stopped half-way (config.json, no rootfs/)" + busy(quiet),
                  quiet));
        }
      }
    } catch (NoSuchFileException e) {
      // no containers
    } catch (IOException e) {
      found.add(new Leftover(Leftover.Kind.BAD_RECORD, containers, "cannot list: " + e, false));
    }
  }

  /** For what only a quiet root lets the pass remove: why it is left for now. */
  private static String busy(boolean quiet) {
    return quiet ? "" : " (another process works on the root: left until it is gone)";
  }

  /**
   * Network state of containers whose directory is gone: a create writes its record before it
   * attaches and a removal detaches before it retires the directory, so nobody is still using it.
   */
  private void networks(List<Leftover> found) throws HostRuntimeException {
    Path netns = path.resolve("netns");
    if (!Files.isDirectory(netns) && !Files.isDirectory(path.resolve("networks"))) {
      return;
    }
    TreeSet<String> ids = new TreeSet<>(NetworkManager.open(root).containersWithNetworkState());
    try (DirectoryStream<Path> files = Files.newDirectoryStream(netns)) {
      for (Path f : files) {
        ids.add(f.getFileName().toString());
      }
    } catch (IOException e) {
      // no netns dir
    }
    for (String id : ids) {
      if (!Files.isDirectory(path.resolve("containers").resolve(id))) {
        found.add(
            new Leftover(
                Leftover.Kind.ORPHAN_NETWORK,
                netns.resolve(id),
                "its container no longer exists",
                true));
      }
    }
  }

  // --- the fixes ---

  /** Removes the fixable leftovers: mounts first, op files last (a kill here leaves the trace). */
  void apply(List<Leftover> found, Consumer<String> log) throws HostRuntimeException {
    List<Leftover> todo =
        found.stream()
            .filter(Leftover::fixable)
            .sorted(Comparator.comparingInt(RootRecovery::order))
            .toList();
    ContainerRuntime runtime = null;
    boolean trashSwept = false;
    boolean gcDone = false;
    for (Leftover l : todo) {
      try {
        switch (l.kind()) {
          case BUILD_MOUNT -> {
            if (LibC.INSTANCE.umount2(l.path().toString(), LibC.MNT_DETACH) != 0) {
              throw HostRuntimeException.failed(LibC.describe("umount " + l.path()));
            }
          }
          case BUILD_CONTAINER, HALF_CREATED_CONTAINER, CONTAINER_WITHOUT_ROOTFS -> {
            if (runtime == null) {
              runtime = ContainerRuntime.open(root);
            }
            runtime.remove(l.path().getFileName().toString(), true);
          }
          case RETIRED_CONTAINER -> {
            if (!trashSwept) {
              if (runtime == null) {
                runtime = ContainerRuntime.open(root);
              }
              runtime.sweepRetired();
              trashSwept = true;
            }
          }
          case ORPHAN_NETWORK ->
              NetworkManager.open(root).detachAndForgetFlows(l.path().getFileName().toString());
          case UNREFERENCED_BLOB -> {
            if (!gcDone) {
              ImageStore.open(root).gc(); // skipped while a pull, import or build holds a lease
              gcDone = true;
            }
          }
          case BUILD_TEMP, PARTIAL_BLOB, LAYER_TEMP -> deleteUnmounted(l.path());
          case DEAD_OPERATION -> Files.deleteIfExists(l.path());
          default -> {
            continue;
          }
        }
        log.accept("removed " + l.describe());
      } catch (HostRuntimeException | IOException | RuntimeException e) {
        LOG.warn("recovery: could not remove {}: {}", l.describe(), e.getMessage());
      }
    }
  }

  private static int order(Leftover l) {
    return switch (l.kind()) {
      case BUILD_MOUNT -> 0;
      case BUILD_CONTAINER -> 1;
      case DEAD_OPERATION -> 9;
      default -> 5;
    };
  }

  /** Deletes a tree only when nothing is mounted at or under it (never into a mount). */
  private static void deleteUnmounted(Path dir) throws HostRuntimeException, IOException {
    if (Mountinfo.read().anyUnder(dir)) {
      throw HostRuntimeException.conflict(dir + " still has a mount under it; left as it is");
    }
    AtomicFiles.deleteTree(dir);
  }
}
