package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.layer.LayerTree;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Drift from the overlay's upper dir: every entry there is a change to the image's files, except
 * what the runtime makes at start. Those are excluded by path rather than compared against a
 * snapshot taken after start: the set is known from the config (the shim's mount points, the /etc
 * files, volume/bind/secret targets, the workdir — each resolved inside the image's layers as the
 * shim resolves it ({@link LayerTree}), a dangling link's target too — and every parent directory
 * the overlay copied up on the way), it needs no write on the start path, holds for containers
 * started before this existed, and cannot race the command's own first writes into the snapshot.
 * The walk stops after {@link #MAX_ENTRIES} entries.
 */
final class ContainerDrift {

  static final int MAX_ENTRIES = 10_000;
  static final int MAX_PATHS = 1_000;
  static final String EXEC_FILE = "exec";

  private static final List<String> RUNTIME_PATHS =
      List.of("/proc", "/dev", "/sys", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf");

  private ContainerDrift() {}

  static Path upperDir(ContainerRecord config, Path dir) {
    return config.upperDir() != null ? Path.of(config.upperDir()) : dir.resolve("upper");
  }

  static Drift read(ContainerRecord config, Path dir) {
    return read(config, dir, MAX_ENTRIES);
  }

  static Drift read(ContainerRecord config, Path dir, int maxEntries) {
    Set<String> expected = expected(config);
    Path upper = upperDir(config, dir);
    TreeSet<String> changed = new TreeSet<>();
    boolean[] truncated = {false};
    if (Files.isDirectory(upper, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.walkFileTree(upper, new Walker(upper, expected, changed, truncated, maxEntries));
      } catch (IOException e) {
        truncated[0] = true; // a container being removed: what was read stands
      }
    }
    List<String> paths = new ArrayList<>(changed);
    if (paths.size() > MAX_PATHS) {
      paths = paths.subList(0, MAX_PATHS);
      truncated[0] = true;
    }
    return new Drift(paths, truncated[0], execAt(dir));
  }

  /** When {@code stamp exec} last ran a command in it. */
  static Optional<Instant> execAt(Path dir) {
    try {
      return Optional.of(Instant.parse(Files.readString(dir.resolve(EXEC_FILE)).strip()));
    } catch (IOException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  static void markExec(Path dir, Instant at) throws IOException {
    Path tmp = dir.resolve(EXEC_FILE + ".tmp");
    Files.writeString(tmp, at.toString() + "\n");
    Files.move(
        tmp,
        dir.resolve(EXEC_FILE),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The paths the runtime makes, resolved through the layers' symlinks, and their parents. */
  static Set<String> expected(ContainerRecord config) {
    List<String> targets = new ArrayList<>(RUNTIME_PATHS);
    for (ContainerRecord.Mount m : config.mounts()) {
      targets.add(m.target());
    }
    if (config.workdir() != null) {
      targets.add(config.workdir());
    }
    List<Path> lowestFirst = new ArrayList<>();
    for (String dir : config.lowerDirs()) {
      lowestFirst.add(Path.of(dir));
    }
    LayerTree image = LayerTree.of(lowestFirst);
    Set<String> expected = new HashSet<>();
    for (String target : targets) {
      for (String p : resolve(normalize(target), image)) {
        addWithParents(expected, p);
      }
    }
    return expected;
  }

  private static void addWithParents(Set<String> set, String path) {
    String p = path;
    while (!p.equals("/") && !p.isEmpty()) {
      set.add(p);
      p = p.substring(0, Math.max(p.lastIndexOf('/'), 0));
    }
  }

  private static String normalize(String path) {
    Path p = Path.of("/").resolve(path).normalize();
    return p.toString();
  }

  /**
   * The path as written and the path it leads to inside the image ({@link LayerTree}: symlinks of
   * the image's layers resolved inside it, as the shim's openat2(RESOLVE_IN_ROOT) does; never on
   * the host). A loop leads nowhere: the shim could not have created anything through it.
   */
  static List<String> resolve(String path, LayerTree image) {
    try {
      String real = "/" + image.resolve(path, true);
      return real.equals(path) ? List.of(path) : List.of(path, real);
    } catch (HostRuntimeException e) {
      return List.of(path);
    }
  }

  private static final class Walker extends SimpleFileVisitor<Path> {
    private final Path upper;
    private final Set<String> expected;
    private final Set<String> changed;
    private final boolean[] truncated;
    private final Deque<int[]> children = new ArrayDeque<>();
    private final int maxEntries;
    private int entries;

    Walker(Path upper, Set<String> expected, Set<String> changed, boolean[] truncated, int max) {
      this.maxEntries = max;
      this.upper = upper;
      this.expected = expected;
      this.changed = changed;
      this.truncated = truncated;
    }

    private String path(Path file) {
      return "/" + upper.relativize(file);
    }

    private boolean counted() {
      if (!children.isEmpty()) {
        children.peek()[0]++;
      }
      if (++entries > maxEntries) {
        truncated[0] = true;
        return false;
      }
      return true;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
      if (!dir.equals(upper) && !counted()) {
        return FileVisitResult.TERMINATE;
      }
      children.push(new int[1]);
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
      if (!counted()) {
        return FileVisitResult.TERMINATE;
      }
      String p = path(file);
      if (!expected.contains(p)) {
        changed.add(p);
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) {
      return FileVisitResult.CONTINUE; // removed while walking
    }

    @Override
    public FileVisitResult postVisitDirectory(Path dir, IOException e) {
      int[] count = children.pop();
      if (!dir.equals(upper) && count[0] == 0) {
        String p = path(dir);
        if (!expected.contains(p)) {
          changed.add(p); // a new (or emptied, opaque) directory
        }
      }
      return FileVisitResult.CONTINUE;
    }
  }
}
