package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.layer.LayerTree;
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
import java.util.List;
import java.util.Map;

/**
 * Writes what a {@link CopyPlan} places into an empty staging dir (the layer): files copied on all
 * cores, symlinks as symlinks, archives extracted, downloads and here-documents; owners, modes and
 * mtimes (SOURCE_DATE_EPOCH) set; destinations resolved inside the image, never on the host.
 */
final class CopyStaging {

  private CopyStaging() {}

  /**
   * Writes the files into {@code staging} (an empty dir) with owners, modes and mtime set. Each
   * destination is resolved inside the image as it will be ({@code lowerDirs}, lowest first, under
   * what this step has written so far: {@link LayerTree}), so {@code COPY f /e/x} with the image's
   * {@code /e -> /etc} writes {@code /etc/x} into the new layer, and a symlink an ADDed archive put
   * there is followed inside the image, never on the build host. A link loop is refused at the
   * instruction.
   */
  static void stage(
      CopyPlan plan,
      Path staging,
      List<Path> lowerDirs,
      int uid,
      int gid,
      Integer chmod,
      long epoch)
      throws BuildException {
    FileTime time = FileTime.fromMillis(epoch * 1000);
    Map<Path, String> files = new java.util.LinkedHashMap<>();
    Map<String, String> pending = new java.util.LinkedHashMap<>();
    try {
      Destinations inside = new Destinations(plan, staging, lowerDirs);
      for (CopyPlan.Item item : plan.items()) {
        Path src = plan.tree().path(item.source());
        if (Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS) && !item.extract()) {
          pending.put(item.dest(), item.source()); // placed once every symlink of this step exists
          continue;
        }
        boolean dir = item.extract() || Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS);
        Path dst = dir ? inside.placeDir(item.dest()) : inside.place(item.dest());
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
        } else {
          continue; // sockets, fifos, devices: not copied
        }
        own(dst, uid, gid);
      }
      // every symlink of this step exists by now: place each file once, then copy
      for (Map.Entry<String, String> e : pending.entrySet()) {
        Path dst = inside.place(e.getKey());
        makeParents(staging, dst.getParent(), time);
        files.put(dst, e.getValue());
      }
      copyFiles(plan.tree(), files, uid, gid, chmod);
      for (CopyPlan.Remote remote : plan.remotes()) {
        Path dst = inside.place(remote.dest());
        makeParents(staging, dst.getParent(), time);
        Files.copy(
            plan.downloads().download(remote).file(), dst, StandardCopyOption.REPLACE_EXISTING);
        setMode(dst, chmod != null ? chmod : 0600);
        own(dst, uid, gid);
      }
      for (CopyPlan.Inline doc : plan.inline()) {
        Path dst = inside.place(doc.dest());
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
   * Where a destination (absolute image path) lands in the staging dir: its directory resolved
   * inside the image (the lower layers under the staging dir), the name kept; each directory is
   * resolved once until a step's symlink may have changed the answer ({@link #forget}).
   */
  private static final class Destinations {
    private final CopyPlan plan;
    private final Path staging;
    private final LayerTree tree;
    private final Map<String, String> resolved = new HashMap<>();

    Destinations(CopyPlan plan, Path staging, List<Path> lowerDirs) {
      this.plan = plan;
      this.staging = staging;
      this.tree = LayerTree.over(lowerDirs, staging);
    }

    void forget() {
      resolved.clear();
    }

    /** A directory destination: followed to the end (an existing link to a dir is merged into). */
    Path placeDir(String imagePath) throws BuildException {
      String rel = resolve(imagePath.replaceFirst("^/+", ""), imagePath);
      return rel.isEmpty() ? staging : staging.resolve(rel);
    }

    /** A file or link destination: its directory resolved, its name kept (replaced if there). */
    Path place(String imagePath) throws BuildException {
      String rel = imagePath.replaceFirst("^/+", "");
      if (rel.isEmpty()) {
        return staging; // the image's root itself (ADD archive.tar /)
      }
      int slash = rel.lastIndexOf('/');
      String dir = slash < 0 ? "" : rel.substring(0, slash);
      String name = rel.substring(slash + 1);
      String real = resolve(dir, imagePath);
      return real.isEmpty() ? staging.resolve(name) : staging.resolve(real).resolve(name);
    }

    private String resolve(String dir, String imagePath) throws BuildException {
      String real = resolved.get(dir);
      if (real == null) {
        try {
          real = dir.isEmpty() ? "" : tree.resolve(dir, true);
        } catch (HostRuntimeException e) {
          throw CopyPlan.error(
              plan.file(),
              plan.at(),
              StampException.Kind.BAD_INPUT,
              plan.keyword() + " " + imagePath + ": " + e.getMessage());
        }
        resolved.put(dir, real);
      }
      return real;
    }
  }

  /**
   * Copies the regular files (destination → source) on all cores: small files are syscall-bound.
   */
  private static void copyFiles(
      SourceTree tree, Map<Path, String> files, int uid, int gid, Integer chmod)
      throws IOException {
    try {
      files.entrySet().parallelStream()
          .forEach(
              e -> {
                try {
                  tree.copyFile(e.getValue(), e.getKey());
                  setMode(e.getKey(), chmod != null ? chmod : mode(tree.path(e.getValue())));
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
