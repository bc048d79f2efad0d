package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes what a {@link CopyPlan} places into an empty staging dir (the layer): files copied on all
 * cores, symlinks as symlinks, archives extracted, downloads and here-documents; owners, modes and
 * mtimes (SOURCE_DATE_EPOCH) set; never through a symlink that leads out of the staging dir.
 */
final class CopyStaging {

  private CopyStaging() {}

  /**
   * Writes the files into {@code staging} (an empty dir) with owners, modes and mtime set. Nothing
   * is written through a symlink that leads out of {@code staging} (an ADDed tar may put one where
   * a later source of the same step lands): that is refused at the instruction.
   */
  static void stage(CopyPlan plan, Path staging, int uid, int gid, Integer chmod, long epoch)
      throws BuildException {
    FileTime time = FileTime.fromMillis(epoch * 1000);
    Map<Path, Path> files = new java.util.LinkedHashMap<>();
    try {
      Confinement inside = new Confinement(plan, staging);
      for (CopyPlan.Item item : plan.items()) {
        Path src = plan.tree().path(item.source());
        Path dst = staging.resolve(item.dest().substring(1));
        inside.check(dst, item.dest());
        makeParents(staging, dst.getParent(), time);
        if (item.extract()) {
          ArchiveExtraction.extract(
              src,
              dst,
              staging,
              time,
              plan.file() + ":" + plan.at().line() + ":" + plan.at().column() + ": ");
          inside.forget(); // the archive may have put symlinks where directories were
          continue;
        }
        if (Files.isSymbolicLink(src)) {
          Files.deleteIfExists(dst);
          Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
          inside.forget();
        } else if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
          if (!Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dst);
          }
          setMode(dst, chmod != null ? chmod : mode(src));
        } else if (Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
          files.put(dst, src);
          continue;
        } else {
          continue; // sockets, fifos, devices: not copied
        }
        own(dst, uid, gid);
      }
      // every symlink of this step exists by now: check each file's directory once, then copy
      for (Path dst : files.keySet()) {
        inside.check(dst, "/" + staging.relativize(dst));
      }
      copyFiles(files, uid, gid, chmod);
      for (CopyPlan.Remote remote : plan.remotes()) {
        Path dst = staging.resolve(remote.dest().substring(1));
        inside.check(dst, remote.dest());
        makeParents(staging, dst.getParent(), time);
        Files.copy(
            plan.downloads().download(remote).file(), dst, StandardCopyOption.REPLACE_EXISTING);
        setMode(dst, chmod != null ? chmod : 0600);
        own(dst, uid, gid);
      }
      for (CopyPlan.Inline doc : plan.inline()) {
        Path dst = staging.resolve(doc.dest().substring(1));
        inside.check(dst, doc.dest());
        makeParents(staging, dst.getParent(), time);
        if (!Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(dst); // never write through a symlink standing there
        }
        Files.writeString(dst, doc.content(), StandardCharsets.UTF_8);
        setMode(dst, chmod != null ? chmod : 0644);
        own(dst, uid, gid);
      }
      setTimes(staging, time);
    } catch (IOException e) {
      throw BuildException.failed("copy files: " + e.getMessage(), e);
    }
  }

  /**
   * Whether a destination's directory, as it exists now, resolves inside the staging dir; each
   * directory is resolved once.
   */
  private static final class Confinement {
    private final CopyPlan plan;
    private final Path staging;
    private final Path root;
    private final Map<Path, Boolean> checked = new HashMap<>();

    Confinement(CopyPlan plan, Path staging) throws IOException {
      this.plan = plan;
      this.staging = staging;
      this.root = staging.toRealPath();
    }

    void forget() {
      checked.clear();
    }

    void check(Path dst, String imagePath) throws BuildException, IOException {
      if (dst.normalize().equals(staging.normalize())) {
        return; // the image's root itself (ADD archive.tar /)
      }
      Path dir = dst.getParent();
      while (dir != null && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        dir = dir.getParent();
      }
      if (dir == null) {
        return;
      }
      Boolean ok = checked.get(dir);
      if (ok == null) {
        ok = dir.toRealPath().startsWith(root);
        checked.put(dir, ok);
      }
      if (!ok) {
        throw CopyPlan.error(
            plan.file(),
            plan.at(),
            StampException.Kind.BAD_INPUT,
            plan.keyword()
                + " "
                + imagePath
                + ": would be written through a symlink that leads out of the image"
                + " (an earlier source of this step put it there)");
      }
    }
  }

  /**
   * Copies the regular files (destination → source) on all cores: small files are syscall-bound.
   */
  private static void copyFiles(Map<Path, Path> files, int uid, int gid, Integer chmod)
      throws IOException {
    try {
      files.entrySet().parallelStream()
          .forEach(
              e -> {
                try {
                  Files.copy(e.getValue(), e.getKey(), StandardCopyOption.REPLACE_EXISTING);
                  setMode(e.getKey(), chmod != null ? chmod : mode(e.getValue()));
                  own(e.getKey(), uid, gid);
                } catch (IOException ex) {
                  throw new UncheckedIOException(ex);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void makeParents(Path staging, Path dir, FileTime time) throws IOException {
    if (dir == null || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    makeParents(staging, dir.getParent(), time);
    Files.createDirectory(dir);
    setMode(dir, 0755);
  }

  private static int mode(Path p) throws IOException {
    return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
  }

  static void setMode(Path p, int mode) throws IOException {
    Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
  }

  static void own(Path p, int uid, int gid) throws IOException {
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
  }

  /** Sets every mtime under {@code dir} to {@code time}, so layers never depend on the host's. */
  private static void setTimes(Path dir, FileTime time) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        try {
          Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .setTimes(time, null, null);
        } catch (IOException e) {
          // a symlink's time where lutimes is missing: LayerWriter clamps it anyway
        }
      }
    }
  }
}
