package dev.stamp.runtime.layer;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One tar header with every PAX/GNU extension applied: the name exactly as the archive spells it
 * (no normalisation), numeric owners, mode with setuid/setgid/sticky, mtime to the nanosecond, and
 * xattrs with their raw byte values ({@code SCHILY.xattr.*}).
 */
public record TarEntry(
    String name,
    Type type,
    int mode,
    long uid,
    long gid,
    long size,
    long mtimeSeconds,
    int mtimeNanos,
    String linkName,
    int devMajor,
    int devMinor,
    Map<String, byte[]> xattrs) {

  /** Entry types Stamp understands. */
  public enum Type {
    FILE,
    HARDLINK,
    SYMLINK,
    CHAR_DEVICE,
    BLOCK_DEVICE,
    DIRECTORY,
    FIFO;
  }

  public TarEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    linkName = linkName == null ? "" : linkName;
    xattrs = Collections.unmodifiableMap(new TreeMap<>(xattrs == null ? Map.of() : xattrs));
  }

  public static TarEntry directory(String name, int mode, long uid, long gid, long mtime) {
    return new TarEntry(name, Type.DIRECTORY, mode, uid, gid, 0, mtime, 0, "", 0, 0, Map.of());
  }

  public static TarEntry file(String name, int mode, long uid, long gid, long size, long mtime) {
    return new TarEntry(name, Type.FILE, mode, uid, gid, size, mtime, 0, "", 0, 0, Map.of());
  }

  public static TarEntry symlink(String name, String target, long uid, long gid, long mtime) {
    return new TarEntry(name, Type.SYMLINK, 0777, uid, gid, 0, mtime, 0, target, 0, 0, Map.of());
  }

  public static TarEntry hardlink(String name, String target, long uid, long gid, long mtime) {
    return new TarEntry(name, Type.HARDLINK, 0644, uid, gid, 0, mtime, 0, target, 0, 0, Map.of());
  }

  public TarEntry withXattrs(Map<String, byte[]> newXattrs) {
    return with(mode, newXattrs);
  }

  public TarEntry withMode(int newMode) {
    return with(newMode, xattrs);
  }

  /** This entry with {@code newMode} and {@code newXattrs}; every other field as it is. */
  private TarEntry with(int newMode, Map<String, byte[]> newXattrs) {
    return new TarEntry(
        name,
        type,
        newMode,
        uid,
        gid,
        size,
        mtimeSeconds,
        mtimeNanos,
        linkName,
        devMajor,
        devMinor,
        newXattrs);
  }

  /** Only regular files carry data. */
  public boolean hasData() {
    return type == Type.FILE;
  }
}
