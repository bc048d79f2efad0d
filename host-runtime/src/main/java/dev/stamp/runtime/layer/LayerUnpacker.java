package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.image.BlobCorruptedException;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.DigestingInputStream;
import dev.stamp.runtime.linux.LibC;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks ONE layer blob (gzip, zstd or plain tar, detected by magic bytes) into an empty directory
 * meant to be an overlayfs lowerdir: OCI whiteouts become overlay whiteouts, and the diff id
 * (sha256 of the uncompressed tar) is computed on the way and checked.
 *
 * <p>Security: every entry is placed by its lexically cleaned name under the directory; an entry
 * that is absolute, climbs out with {@code ..}, sits under a symlink, or hard-links outside, is
 * refused (BAD_INPUT naming the layer and the entry), as are overlayfs xattrs. Nothing is written
 * through a symlink. Ownership and device nodes need root; without it they are skipped (logged).
 */
public final class LayerUnpacker {

  private static final Logger LOG = LoggerFactory.getLogger(LayerUnpacker.class);

  /**
   * What an unpack produced. {@code skipped} names entries not reproduced (devices as non-root).
   */
  public record Result(Digest diffId, long entries, long bytes, List<String> skipped) {}

  /**
   * Unpacks {@code blob} into {@code dir} (existing, empty). {@code expectedDiffId} may be null. On
   * failure {@code dir} is left partly written: the caller deletes it.
   */
  public Result unpack(InputStream blob, Path dir, Digest layer, Digest expectedDiffId)
      throws HostRuntimeException {
    String what = "unpack layer " + layer;
    BufferedInputStream raw = new BufferedInputStream(blob, 64 * 1024);
    try {
      Compression compression = Compression.detect(raw);
      DigestingInputStream tar = new DigestingInputStream(compression.decompress(raw));
      Run run = new Run(dir, what);
      TarReader reader = new TarReader(tar);
      for (TarEntry entry = reader.next(); entry != null; entry = reader.next()) {
        run.apply(entry, reader.data());
      }
      reader.drain();
      raw.transferTo(OutputStream.nullOutputStream());
      Digest diffId = tar.digest();
      if (expectedDiffId != null && !expectedDiffId.equals(diffId)) {
        throw HostRuntimeException.badInput(
            what + ": its diff id is " + diffId + " but the image config says " + expectedDiffId);
      }
      run.finishDirectories();
      return new Result(diffId, run.entries, tar.size(), List.copyOf(run.skipped));
    } catch (BlobCorruptedException e) {
      throw HostRuntimeException.failed(what + ": " + e.getMessage(), e);
    } catch (BadTarException e) {
      throw corruptedOr(raw, HostRuntimeException.badInput(what + ": " + e.getMessage()), what);
    } catch (java.util.zip.ZipException | com.github.luben.zstd.ZstdIOException e) {
      throw corruptedOr(
          raw,
          HostRuntimeException.badInput(what + ": bad compressed data: " + e.getMessage()),
          what);
    } catch (IOException e) {
      throw HostRuntimeException.failed(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Undecodable data may just be a damaged blob: read the rest of it, and report the corruption
   * (the real cause) if the store's digest check fails, else {@code otherwise}.
   */
  private static HostRuntimeException corruptedOr(
      InputStream raw, HostRuntimeException otherwise, String what) {
    try {
      raw.transferTo(OutputStream.nullOutputStream());
    } catch (BlobCorruptedException e) {
      return HostRuntimeException.failed(what + ": " + e.getMessage(), e);
    } catch (IOException e) {
      return otherwise;
    }
    return otherwise;
  }

  /** The state of one unpack. */
  private static final class Run {
    private final Path dir;
    private final String what;
    private final Set<String> knownDirs = new HashSet<>();
    private final Map<String, TarEntry> dirMetadata = new HashMap<>();
    private final List<String> skipped = new ArrayList<>();
    private long entries;

    Run(Path dir, String what) {
      this.dir = dir;
      this.what = what;
      knownDirs.add("");
    }

    void apply(TarEntry entry, InputStream data) throws IOException, HostRuntimeException {
      entries++;
      String rel = clean(entry, entry.name(), "");
      checkXattrs(entry);
      String base = rel.substring(rel.lastIndexOf('/') + 1);
      if (base.startsWith(Whiteouts.PREFIX)) {
        whiteout(entry, rel, base);
        return;
      }
      if (rel.isEmpty()) {
        if (entry.type() != TarEntry.Type.DIRECTORY) {
          throw refuse(entry, "names the layer root but is not a directory");
        }
        dirMetadata.put(rel, entry);
        return;
      }
      ensureParents(entry, rel, true);
      Path path = resolve(entry, rel);
      switch (entry.type()) {
        case DIRECTORY -> directory(entry, rel, path);
        case FILE -> file(entry, rel, path, data);
        case SYMLINK -> {
          replace(rel, path);
          Posix.symlink(entry.linkName(), path);
          metadata(entry, path, true);
        }
        case HARDLINK -> hardlink(entry, rel, path);
        case CHAR_DEVICE, BLOCK_DEVICE -> device(entry, rel, path);
        case FIFO -> {
          replace(rel, path);
          Posix.mknod(path, LibC.S_IFIFO, entry.mode(), 0, 0);
          metadata(entry, path, false);
        }
      }
    }

    private void directory(TarEntry entry, String rel, Path path) throws IOException {
      BasicFileAttributes existing = lstat(path);
      boolean wasWhiteout = existing != null && existing.isOther();
      if (existing == null || !existing.isDirectory()) {
        replace(rel, path);
        Files.createDirectory(path);
      }
      if (wasWhiteout) {
        // ".wh.NAME" then "NAME/" in one layer: the new directory must hide the lower one.
        Posix.setXattr(path, Whiteouts.opaqueXattr(), new byte[] {'y'});
      }
      knownDirs.add(rel);
      dirMetadata.put(rel, entry);
    }

    private void file(TarEntry entry, String rel, Path path, InputStream data) throws IOException {
      replace(rel, path);
      try (OutputStream out =
          Files.newOutputStream(
              path,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS)) {
        data.transferTo(out);
      }
      metadata(entry, path, false);
    }

    private void hardlink(TarEntry entry, String rel, Path path)
        throws IOException, HostRuntimeException {
      String targetRel = clean(entry, entry.linkName(), "hard link target ");
      if (targetRel.isEmpty() || targetRel.equals(rel)) {
        throw refuse(entry, "is a hard link to itself or to the layer root");
      }
      ensureParents(entry, targetRel, false);
      Path target = resolve(entry, targetRel);
      BasicFileAttributes attrs = lstat(target);
      if (attrs == null) {
        throw refuse(
            entry, "is a hard link to \"" + entry.linkName() + "\", which is not in this layer");
      }
      if (attrs.isDirectory()) {
        throw refuse(entry, "is a hard link to the directory \"" + entry.linkName() + "\"");
      }
      replace(rel, path);
      Files.createLink(path, target);
    }

    private void device(TarEntry entry, String rel, Path path) throws IOException {
      if (!Posix.isRoot()) {
        skipped.add(entry.name());
        LOG.info("{}: skipped device {} (creating devices needs root)", what, entry.name());
        return;
      }
      replace(rel, path);
      int type = entry.type() == TarEntry.Type.CHAR_DEVICE ? LibC.S_IFCHR : LibC.S_IFBLK;
      Posix.mknod(path, type, entry.mode(), entry.devMajor(), entry.devMinor());
      metadata(entry, path, false);
    }

    private void whiteout(TarEntry entry, String rel, String base)
        throws IOException, HostRuntimeException {
      ensureParents(entry, rel, true);
      String parentRel = rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/')) : "";
      Path parent = parentRel.isEmpty() ? dir : resolve(entry, parentRel);
      if (base.equals(Whiteouts.OPAQUE)) {
        Posix.setXattr(parent, Whiteouts.opaqueXattr(), new byte[] {'y'});
        return;
      }
      if (base.startsWith(Whiteouts.META_PREFIX)) {
        LOG.debug("{}: ignored whiteout metadata entry {}", what, entry.name());
        return;
      }
      String name = base.substring(Whiteouts.PREFIX.length());
      if (name.isEmpty() || name.equals(".") || name.equals("..")) {
        throw refuse(entry, "is a whiteout of no valid name");
      }
      String hiddenRel = parentRel.isEmpty() ? name : parentRel + "/" + name;
      Path hidden = resolve(entry, hiddenRel);
      BasicFileAttributes existing = lstat(hidden);
      if (existing == null) {
        Posix.mknod(hidden, LibC.S_IFCHR, 0, 0, 0);
      } else if (existing.isDirectory()) {
        // The directory came from this layer; it must still hide the lower one.
        Posix.setXattr(hidden, Whiteouts.opaqueXattr(), new byte[] {'y'});
      }
    }

    /** Applies owner, mode, xattrs and times to a non-directory (a symlink keeps its mode). */
    private void metadata(TarEntry entry, Path path, boolean symlink) throws IOException {
      if (Posix.isRoot()) {
        Posix.lchown(path, entry.uid(), entry.gid());
      }
      if (!symlink) {
        Posix.chmod(path, entry.mode());
      }
      xattrs(entry, path);
      Posix.setTimes(path, entry.mtimeSeconds(), entry.mtimeNanos());
    }

    /** Directories last, deepest first: adding children would change their times and modes. */
    void finishDirectories() throws IOException {
      List<String> rels = new ArrayList<>(dirMetadata.keySet());
      rels.sort(
          Comparator.comparingInt((String r) -> r.isEmpty() ? 0 : r.split("/").length).reversed());
      for (String rel : rels) {
        Path path = rel.isEmpty() ? dir : dir.resolve(rel);
        BasicFileAttributes attrs = lstat(path);
        if (attrs == null || !attrs.isDirectory()) {
          continue;
        }
        TarEntry entry = dirMetadata.get(rel);
        if (Posix.isRoot()) {
          Posix.lchown(path, entry.uid(), entry.gid());
        }
        Posix.chmod(path, entry.mode());
        xattrs(entry, path);
        Posix.setTimes(path, entry.mtimeSeconds(), entry.mtimeNanos());
      }
    }

    private void xattrs(TarEntry entry, Path path) {
      for (Map.Entry<String, byte[]> xattr : entry.xattrs().entrySet()) {
        String name = xattr.getKey();
        if (name.startsWith("trusted.")) {
          LOG.info(
              "{}: skipped xattr {} on {} (trusted.* is not taken from layers)",
              what,
              name,
              entry.name());
          continue;
        }
        try {
          Posix.setXattr(path, name, xattr.getValue());
        } catch (IOException e) {
          LOG.info("{}: skipped xattr {} on {}: {}", what, name, entry.name(), e.getMessage());
        }
      }
    }

    private void checkXattrs(TarEntry entry) throws HostRuntimeException {
      for (String name : entry.xattrs().keySet()) {
        if (Whiteouts.isOverlayXattr(name)) {
          throw refuse(
              entry,
              "carries the overlayfs xattr " + name + " (it could forge whiteouts or redirects)");
        }
      }
    }

    /**
     * Checks (and with {@code create}, makes) every parent directory of {@code rel}: none may be a
     * symlink, since writing through one could land outside the layer directory.
     */
    private void ensureParents(TarEntry entry, String rel, boolean create)
        throws IOException, HostRuntimeException {
      int slash = rel.indexOf('/');
      while (slash >= 0) {
        String parentRel = rel.substring(0, slash);
        if (!knownDirs.contains(parentRel)) {
          Path parent = resolve(entry, parentRel);
          BasicFileAttributes attrs = lstat(parent);
          if (attrs == null && create) {
            Files.createDirectory(parent);
            Posix.chmod(parent, 0755);
          } else if (attrs == null) {
            throw refuse(entry, "refers to \"" + parentRel + "\", which is not in this layer");
          } else if (attrs.isSymbolicLink()) {
            throw refuse(entry, "lies under \"" + parentRel + "\", which is a symlink");
          } else if (!attrs.isDirectory()) {
            throw refuse(entry, "lies under \"" + parentRel + "\", which is not a directory");
          }
          knownDirs.add(parentRel);
        }
        slash = rel.indexOf('/', slash + 1);
      }
    }

    /** Removes whatever is at {@code path} (never following a symlink) unless it is a directory. */
    private void replace(String rel, Path path) throws IOException {
      BasicFileAttributes attrs = lstat(path);
      if (attrs == null) {
        return;
      }
      if (attrs.isDirectory()) {
        knownDirs.removeIf(d -> d.equals(rel) || d.startsWith(rel + "/"));
        dirMetadata.keySet().removeIf(d -> d.equals(rel) || d.startsWith(rel + "/"));
      }
      AtomicFiles.deleteTree(path);
    }

    /** The entry name, lexically cleaned and relative; refuses absolute and escaping names. */
    private String clean(TarEntry entry, String name, String role) throws HostRuntimeException {
      return EntryPaths.clean(what, entry, name, role);
    }

    private Path resolve(TarEntry entry, String rel) throws HostRuntimeException {
      try {
        return dir.resolve(rel);
      } catch (InvalidPathException e) {
        throw refuse(entry, "has a name this system cannot represent");
      }
    }

    private HostRuntimeException refuse(TarEntry entry, String why) {
      return EntryPaths.refuse(what, entry, why);
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
      try {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return null;
      }
    }
  }
}
