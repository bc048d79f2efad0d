package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.BlobWriter;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a directory as a reproducible layer: a tar with entries in sorted depth-first order,
 * numeric owners and empty owner names, mtimes clamped to {@code SOURCE_DATE_EPOCH} (0 when unset),
 * PAX records only where ustar cannot hold a value; then compressed (gzip with a fixed header by
 * default). An overlayfs upper directory is translated back to OCI: a character device 0:0 becomes
 * {@code .wh.NAME}, an opaque directory gets a {@code .wh..wh..opq} entry. Kept xattrs: {@code
 * user.*} and {@code security.capability}.
 */
public final class LayerWriter {

  private static final Logger LOG = LoggerFactory.getLogger(LayerWriter.class);

  /** The layer blob's descriptor and the layer's diff id (sha256 of the uncompressed tar). */
  public record Result(Descriptor blob, Digest diffId, long uncompressedSize) {}

  /** What {@link #walk} reads per entry: numbers only ("unix:*" looks up owner names too). */
  private static final String ATTRIBUTES =
      "unix:mode,uid,gid,lastModifiedTime,nlink,dev,ino,size,rdev";

  private final long epoch;
  private final Compression compression;

  public LayerWriter(long sourceDateEpoch, Compression compression) {
    this.epoch = sourceDateEpoch;
    this.compression = compression;
  }

  /** gzip, epoch from {@code SOURCE_DATE_EPOCH} in {@code env} (0 when unset or invalid). */
  public static LayerWriter fromEnvironment(Map<String, String> env) {
    return new LayerWriter(sourceDateEpoch(env), Compression.GZIP);
  }

  /** {@code SOURCE_DATE_EPOCH} as seconds, 0 when unset; BAD_INPUT when set but not a number. */
  public static long sourceDateEpoch(Map<String, String> env) {
    String value = env.get("SOURCE_DATE_EPOCH");
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      LOG.warn("SOURCE_DATE_EPOCH=\"{}\" is not a number of seconds; using 0", value);
      return 0;
    }
  }

  /**
   * Writes {@code dir} as a layer blob into {@code store}. Hold an {@link ImageStore#lease()} until
   * the image that uses the layer is tagged.
   */
  public Result write(Path dir, ImageStore store) throws HostRuntimeException {
    try (BlobWriter blob = store.blobWriter()) {
      if (compression == Compression.NONE) {
        // the blob is the tar: its digest is the diff id, hashed once
        long size = writeTar(dir, new KeepOpenOutputStream(blob.stream()));
        Descriptor descriptor = blob.commit(compression.mediaType(), null);
        return new Result(descriptor, descriptor.digest(), size);
      }
      MessageDigest md = Digest.sha256();
      long size;
      try (OutputStream compressed = compression.compress(new KeepOpenOutputStream(blob.stream()));
          DigestOutputStream tarBytes =
              new DigestOutputStream(new BufferedOutputStream(compressed, 64 * 1024), md)) {
        size = writeTar(dir, tarBytes);
      }
      Descriptor descriptor = blob.commit(compression.mediaType(), null);
      return new Result(descriptor, Digest.of(md), size);
    } catch (IOException e) {
      throw HostRuntimeException.failed("write layer from " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Writes the uncompressed tar of {@code dir} to {@code out}; returns its size in bytes. */
  public long writeTar(Path dir, OutputStream out) throws IOException {
    TarWriter tar = new TarWriter(out);
    Map<String, String> hardlinks = new HashMap<>();
    for (Path child : sortedChildren(dir)) {
      walk(dir, child, tar, hardlinks);
    }
    tar.finish();
    return tar.written();
  }

  private void walk(Path root, Path path, TarWriter tar, Map<String, String> hardlinks)
      throws IOException {
    String rel = root.relativize(path).toString();
    Map<String, Object> attrs = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) attrs.get("mode");
    long uid = ((Number) attrs.get("uid")).longValue();
    long gid = ((Number) attrs.get("gid")).longValue();
    long mtime =
        Math.min(((FileTime) attrs.get("lastModifiedTime")).toInstant().getEpochSecond(), epoch);
    int type = mode & 0170000;
    int perm = mode & 07777;
    switch (type) {
      case 0040000 -> {
        tar.write(withXattrs(TarEntry.directory(rel + "/", perm, uid, gid, mtime), path), null);
        if (isOpaque(path)) {
          tar.write(TarEntry.file(rel + "/" + Whiteouts.OPAQUE, 0, 0, 0, 0, mtime), null);
        }
        for (Path child : sortedChildren(path)) {
          walk(root, child, tar, hardlinks);
        }
      }
      case 0100000 -> {
        long nlink = ((Number) attrs.get("nlink")).longValue();
        String key = attrs.get("dev") + ":" + attrs.get("ino");
        String first = nlink > 1 ? hardlinks.putIfAbsent(key, rel) : null;
        if (first != null) {
          tar.write(TarEntry.hardlink(rel, first, uid, gid, mtime).withMode(perm), null);
          return;
        }
        long size = (Long) attrs.get("size");
        TarEntry entry = withXattrs(TarEntry.file(rel, perm, uid, gid, size, mtime), path);
        try (InputStream data = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
          tar.write(entry, data);
        }
      }
      case 0120000 ->
          tar.write(
              withXattrs(TarEntry.symlink(rel, Posix.readlink(path), uid, gid, mtime), path), null);
      case 0020000, 0060000 -> {
        long rdev = ((Number) attrs.get("rdev")).longValue();
        int major = (int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL));
        int minor = (int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL));
        if (type == 0020000 && rdev == 0) {
          String parent = EntryPaths.parent(rel);
          String name = path.getFileName().toString();
          String whiteout = (parent.isEmpty() ? "" : parent + "/") + Whiteouts.PREFIX + name;
          tar.write(TarEntry.file(whiteout, 0, 0, 0, 0, mtime), null);
          return;
        }
        TarEntry.Type kind =
            type == 0020000 ? TarEntry.Type.CHAR_DEVICE : TarEntry.Type.BLOCK_DEVICE;
        tar.write(
            withXattrs(
                new TarEntry(rel, kind, perm, uid, gid, 0, mtime, 0, "", major, minor, Map.of()),
                path),
            null);
      }
      case 0010000 ->
          tar.write(
              new TarEntry(
                  rel, TarEntry.Type.FIFO, perm, uid, gid, 0, mtime, 0, "", 0, 0, Map.of()),
              null);
      default -> LOG.info("layer from {}: skipped {} (sockets are not archived)", root, rel);
    }
  }

  private TarEntry withXattrs(TarEntry entry, Path path) throws IOException {
    Map<String, byte[]> xattrs = new TreeMap<>();
    for (String name : Posix.listXattrs(path)) {
      if (name.startsWith("user.") && !Whiteouts.isOverlayXattr(name)
          || name.equals("security.capability")) {
        byte[] value = Posix.getXattr(path, name);
        if (value != null) {
          xattrs.put(name, value);
        }
      } else if (name.equals("trusted.overlay.redirect") || name.equals("user.overlay.redirect")) {
        LOG.warn(
            "layer entry {} was renamed by overlayfs (redirect_dir): it is archived as is",
            entry.name());
      }
    }
    return xattrs.isEmpty() ? entry : entry.withXattrs(xattrs);
  }

  private static boolean isOpaque(Path dir) throws IOException {
    for (String name : List.of(Whiteouts.TRUSTED_OPAQUE_XATTR, Whiteouts.USER_OPAQUE_XATTR)) {
      byte[] value = Posix.getXattr(dir, name);
      if (value != null && value.length == 1 && value[0] == 'y') {
        return true;
      }
    }
    return false;
  }

  private static List<Path> sortedChildren(Path dir) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(children::add);
    }
    children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    return children;
  }
}
