package dev.stamp.builder.engine;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.InRoot;
import dev.stamp.runtime.layer.LayerTree;
import dev.stamp.runtime.layer.Whiteouts;
import dev.stamp.runtime.linux.LibC;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The mount points a container needs but a RUN step did not make: /proc, /dev and /sys, the /etc
 * files the runtime binds (hostname, hosts, resolv.conf), and the RUN mounts' targets. When the
 * snapshot lacks them the runtime creates them in the upper dir; they are not the step's changes,
 * so {@link #removeFrom} takes them out again when they are still empty (as BuildKit does), and
 * with them a directory overlay only copied up to hold them.
 */
final class MountStubs {

  static final List<String> RUNTIME_PATHS =
      List.of("/proc", "/dev", "/sys", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf");

  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;

  /** Relative paths missing from the snapshot (created as stubs) and present ones (copied up). */
  private final Set<String> missing;

  private final Set<String> present;

  private MountStubs(Set<String> missing, Set<String> present) {
    this.missing = missing;
    this.present = present;
  }

  /**
   * The stub paths for {@code targets} (absolute, normalised) over {@code lowerDirs}: each where
   * the runtime creates it, resolved inside the image as the shim's openat2(RESOLVE_IN_ROOT) does
   * (a loop: nothing was created).
   */
  static MountStubs of(List<Path> lowerDirs, List<String> targets) {
    Set<String> missing = new LinkedHashSet<>();
    Set<String> present = new LinkedHashSet<>();
    List<String> all = new ArrayList<>(RUNTIME_PATHS);
    all.addAll(targets);
    LayerTree image = LayerTree.of(lowerDirs);
    for (String target : all) {
      String rel;
      try {
        rel = image.resolve(target, true);
      } catch (HostRuntimeException e) {
        continue;
      }
      while (!rel.isEmpty()) {
        (visible(lowerDirs, rel).isPresent() ? present : missing).add(rel);
        int slash = rel.lastIndexOf('/');
        rel = slash < 0 ? "" : rel.substring(0, slash);
      }
    }
    return new MountStubs(missing, present);
  }

  /**
   * Removes from {@code upper}, deepest first, each stub that is still an empty directory or empty
   * file, then each directory that overlay only copied up: empty, not opaque, with the mode and
   * owner it has below.
   */
  void removeFrom(Path upper, List<Path> lowerDirs) throws IOException {
    List<String> paths = new ArrayList<>(missing);
    paths.addAll(present);
    paths.sort(Comparator.comparingInt((String p) -> p.split("/").length).reversed());
    for (String rel : paths) {
      Path p = upper.resolve(rel);
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || !reachedWithoutLinks(upper, rel)) {
        continue; // gone, or the step put a symlink in its way: never act through it on the host
      }
      if (missing.contains(rel)) {
        if (isEmpty(p)) {
          Files.delete(p);
        }
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
          && isEmpty(p)
          && !isOpaque(p)
          && sameOwnerAndMode(p, visible(lowerDirs, rel).orElseThrow())) {
        Files.delete(p);
      }
    }
  }

  /**
   * The entry {@code rel} (no symlink in its directories) is in the lower dirs: the topmost that
   * has it, none when a whiteout or a higher non-directory hides it ({@link LayerTree}).
   */
  static Optional<Path> visible(List<Path> lowerDirsLowestFirst, String rel) {
    try {
      return LayerTree.of(lowerDirsLowestFirst).find(rel, false);
    } catch (HostRuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code rel}'s directories in the upper dir are directories, not symlinks. */
  private static boolean reachedWithoutLinks(Path upper, String rel) {
    try {
      return InRoot.resolve(upper, rel, false).equals(rel);
    } catch (HostRuntimeException e) {
      return false;
    }
  }

  private static boolean isEmpty(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
        return !entries.iterator().hasNext();
      }
    }
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == 0;
  }

  private static boolean isOpaque(Path dir) {
    byte[] value = new byte[8];
    for (String name : List.of(Whiteouts.TRUSTED_OPAQUE_XATTR, Whiteouts.USER_OPAQUE_XATTR)) {
      if (LibC.INSTANCE.lgetxattr(dir.toString(), name, value, value.length) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameOwnerAndMode(Path a, Path b) throws IOException {
    String attrs = "unix:mode,uid,gid";
    Map<String, Object> x = Files.readAttributes(a, attrs, LinkOption.NOFOLLOW_LINKS);
    Map<String, Object> y = Files.readAttributes(b, attrs, LinkOption.NOFOLLOW_LINKS);
    return x.equals(y);
  }
}
