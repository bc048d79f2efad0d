package dev.stamp.runtime.layer;

import dev.stamp.runtime.linux.Errno;
import dev.stamp.runtime.linux.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The file operations layers need that java.nio lacks, over {@link LibC}; never follow links. */
final class Posix {

  private static final LibC C = LibC.INSTANCE;
  private static final boolean ROOT = C.geteuid() == 0;

  private Posix() {}

  static boolean isRoot() {
    return ROOT;
  }

  /** glibc's makedev(major, minor). */
  static long makedev(int major, int minor) {
    long ma = major & 0xffffffffL;
    long mi = minor & 0xffffffffL;
    return ((ma & 0xfffff000L) << 32)
        | ((ma & 0x00000fffL) << 8)
        | ((mi & 0xffffff00L) << 12)
        | (mi & 0x000000ffL);
  }

  static void mknod(Path path, int type, int mode, int major, int minor) throws IOException {
    if (C.mknod(path.toString(), type | (mode & 07777), makedev(major, minor)) != 0) {
      throw new IOException(LibC.describe("mknod " + path));
    }
  }

  static void symlink(String target, Path path) throws IOException {
    if (C.symlink(target, path.toString()) != 0) {
      throw new IOException(LibC.describe("symlink " + path));
    }
  }

  /** The symlink's target exactly as stored (java.nio normalises slashes). */
  static String readlink(Path path) throws IOException {
    byte[] buf = new byte[4096];
    long n = C.readlink(path.toString(), buf, buf.length);
    if (n < 0) {
      throw new IOException(LibC.describe("readlink " + path));
    }
    return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
  }

  static void lchown(Path path, long uid, long gid) throws IOException {
    if (C.lchown(path.toString(), (int) uid, (int) gid) != 0) {
      throw new IOException(LibC.describe("lchown " + path));
    }
  }

  static void chmod(Path path, int mode) throws IOException {
    if (C.chmod(path.toString(), mode & 07777) != 0) {
      throw new IOException(LibC.describe("chmod " + path));
    }
  }

  /** Sets atime and mtime of {@code path} itself (a symlink is not followed). */
  static void setTimes(Path path, long seconds, int nanos) throws IOException {
    long[] times = {seconds, nanos, seconds, nanos};
    if (C.utimensat(LibC.AT_FDCWD, path.toString(), times, LibC.AT_SYMLINK_NOFOLLOW) != 0) {
      throw new IOException(LibC.describe("set times of " + path));
    }
  }

  static void setXattr(Path path, String name, byte[] value) throws IOException {
    if (C.lsetxattr(path.toString(), name, value, value.length, 0) != 0) {
      throw new IOException(LibC.describe("set xattr " + name + " on " + path));
    }
  }

  /** The xattr's value, or null when the file does not have it (or the fs has no xattrs). */
  static byte[] getXattr(Path path, String name) throws IOException {
    byte[] buf = new byte[256];
    while (true) {
      long n = C.lgetxattr(path.toString(), name, buf, buf.length);
      if (n >= 0) {
        return java.util.Arrays.copyOf(buf, (int) n);
      }
      int errno = LibC.errno();
      if (errno == Errno.ENODATA || errno == Errno.ENOTSUP) {
        return null;
      }
      if (errno != Errno.ERANGE || buf.length > 1 << 20) {
        throw new IOException(LibC.describe("get xattr " + name + " of " + path));
      }
      buf = new byte[buf.length * 4];
    }
  }

  static List<String> listXattrs(Path path) throws IOException {
    byte[] buf = new byte[1024];
    while (true) {
      long n = C.llistxattr(path.toString(), buf, buf.length);
      if (n >= 0) {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == 0) {
            if (i > start) {
              names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
            }
            start = i + 1;
          }
        }
        return names;
      }
      int errno = LibC.errno();
      if (errno == Errno.ENOTSUP) {
        return List.of();
      }
      if (errno != Errno.ERANGE || buf.length > 1 << 20) {
        throw new IOException(LibC.describe("list xattrs of " + path));
      }
      buf = new byte[buf.length * 4];
    }
  }

  /** Flushes the filesystem holding {@code path} (one call makes a whole unpacked tree durable). */
  static void syncFilesystem(Path path) throws IOException {
    int fd = C.open(path.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
    if (fd < 0) {
      throw new IOException(LibC.describe("open " + path));
    }
    try {
      if (C.syncfs(fd) != 0) {
        throw new IOException(LibC.describe("syncfs " + path));
      }
    } finally {
      C.close(fd);
    }
  }
}
