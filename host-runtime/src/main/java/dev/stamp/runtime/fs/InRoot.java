package dev.stamp.runtime.fs;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.Errno;
import dev.stamp.runtime.linux.LibC;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A path inside a root filesystem (a stage's or image's rootfs, a layer stack, a container's
 * rootfs) resolved as the kernel would with that root as {@code /}: every component in turn, an
 * absolute symlink read relative to the root, {@code ..} never above it, at most {@value
 * #MAX_LINKS} links (more is a loop: an error naming the path). BuildKit's and {@code securejoin}'s
 * semantics. Components that do not exist are kept as written, so a destination can be created
 * where the path leads. Never {@code Path.resolve} + {@code toRealPath} on the host: that follows
 * an image's {@code /e -> /etc} to the build host's {@code /etc}.
 *
 * <p>{@link #resolve} names the path (walking any {@link Tree}, e.g. layers seen as one); {@link
 * #open} reads a file of a directory tree through {@code openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS)}, or through the same walk where the kernel lacks it (before 5.6).
 */
public final class InRoot {

  /** The most symlinks one resolution follows (the kernel's limit). */
  public static final int MAX_LINKS = 40;

  private static final LibC C = LibC.INSTANCE;
  private static volatile boolean openat2 = true;

  private InRoot() {}

  /** What a tree holds under one name, never followed: a directory, a symlink, anything else. */
  public record Node(Type type, String linkTarget) {
    public enum Type {
      DIR,
      LINK,
      OTHER
    }

    public Node {
      if ((type == Type.LINK) != (linkTarget != null)) {
        throw new IllegalArgumentException("a link target goes with a LINK node only");
      }
    }

    public static Node of(Path hostPath) throws IOException {
      BasicFileAttributes a =
          Files.readAttributes(hostPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink()) {
        return new Node(Type.LINK, Files.readSymbolicLink(hostPath).toString());
      }
      return new Node(a.isDirectory() ? Type.DIR : Type.OTHER, null);
    }
  }

  /** A tree to resolve in: one directory ({@link #directory}), or layers seen as one. */
  public interface Tree {
    /**
     * The entry {@code name} of directory {@code dir} ({@code ""} is the root; slash-separated, no
     * symlink in it), not followed; empty when there is none (or {@code dir} is not a directory).
     */
    Optional<Node> lookup(String dir, String name) throws IOException;
  }

  /** The tree under a host directory; its own symlinks are never followed by a lookup. */
  public static Tree directory(Path root) {
    return (dir, name) -> {
      Path p = dir.isEmpty() ? root.resolve(name) : root.resolve(dir).resolve(name);
      try {
        return Optional.of(Node.of(p));
      } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
        return Optional.empty();
      } catch (java.nio.file.FileSystemException e) {
        if (e.getReason() != null && e.getReason().contains("Not a directory")) {
          return Optional.empty();
        }
        throw e;
      }
    };
  }

  /**
   * Where {@code path} (absolute or relative, as seen inside the tree) leads: a relative,
   * slash-separated path with no symlink in it ({@code ""} is the root), the last component
   * followed only when {@code followLast} (or the path ends in {@code /}). Missing components are
   * kept as written ({@code ..} after one is lexical).
   *
   * @throws HostRuntimeException BAD_INPUT for a loop (more than {@value #MAX_LINKS} links), FAILED
   *     when the tree cannot be read
   */
  public static String resolve(Tree tree, String path, boolean followLast)
      throws HostRuntimeException {
    Deque<String> todo = new ArrayDeque<>(components(path));
    boolean followEnd = followLast || path.endsWith("/") || path.endsWith("/.");
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      Optional<Node> node;
      String dir = String.join("/", done);
      try {
        node = tree.lookup(dir, c);
      } catch (IOException e) {
        throw HostRuntimeException.failed(
            "resolve \"" + display(path) + "\": read /" + join(dir, c) + ": " + e.getMessage(), e);
      }
      boolean last = todo.isEmpty();
      if (node.isPresent() && node.get().type() == Node.Type.LINK && (!last || followEnd)) {
        if (++links > MAX_LINKS) {
          throw HostRuntimeException.badInput(
              "\""
                  + display(path)
                  + "\": more than "
                  + MAX_LINKS
                  + " symbolic links (a loop?) at /"
                  + join(dir, c));
        }
        String target = node.get().linkTarget();
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> parts = components(target);
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
        continue;
      }
      done.add(c);
    }
    return String.join("/", done);
  }

  /** {@link #resolve(Tree, String, boolean)} in the directory {@code root}. */
  public static String resolve(Path root, String path, boolean followLast)
      throws HostRuntimeException {
    return resolve(directory(root), path, followLast);
  }

  /** The host path {@code path} leads to inside {@code root} (see {@link #resolve}). */
  public static Path path(Path root, String path, boolean followLast) throws HostRuntimeException {
    String rel = resolve(root, path, followLast);
    return rel.isEmpty() ? root : root.resolve(rel);
  }

  /**
   * Opens the regular file {@code path} leads to inside {@code root} for reading: through {@code
   * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)}, else (ENOSYS) through {@link #resolve} and
   * an open that follows no link.
   *
   * @throws NoSuchFileException when there is no such file
   * @throws HostRuntimeException BAD_INPUT for a loop or a path that is not a regular file
   */
  public static InputStream open(Path root, String path) throws IOException, HostRuntimeException {
    if (openat2) {
      int fd = openat2(root, path);
      if (fd >= 0) {
        return checkedRegular(new FdInputStream(fd), root, path);
      }
      int errno = -fd;
      if (errno == Errno.ENOSYS || errno == Errno.EPERM) {
        openat2 = false; // this kernel (or a seccomp filter around us) lacks it: walk instead
      } else if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
        throw new NoSuchFileException(display(path) + " (inside " + root + ")");
      } else if (errno == Errno.ELOOP) {
        throw HostRuntimeException.badInput(
            "\"" + display(path) + "\": more than " + MAX_LINKS + " symbolic links (a loop?)");
      } else if (errno != Errno.EAGAIN) {
        throw new IOException(
            "open \"" + display(path) + "\" inside " + root + ": " + C.strerror(errno));
      }
    }
    return openByWalk(root, path);
  }

  /** {@link #open} by the walk alone (what a kernel without openat2 gets); for tests. */
  static InputStream openByWalk(Path root, String path) throws IOException, HostRuntimeException {
    Path p = path(root, path, true);
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(display(path) + " (inside " + root + ")");
      }
      throw notRegular(path);
    }
    return Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
  }

  /** The content of the regular file {@code path} leads to inside {@code root}, as UTF-8. */
  public static String readString(Path root, String path) throws IOException, HostRuntimeException {
    try (InputStream in = open(root, path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static void useOpenat2(boolean use) {
    openat2 = use;
  }

  /** Whether opens go through openat2 (false after the kernel answered ENOSYS or EPERM). */
  static boolean usesOpenat2() {
    return openat2;
  }

  /** openat2's fd, or minus errno. */
  private static int openat2(Path root, String path) {
    int rootFd = C.open(root.toString(), LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
    if (rootFd < 0) {
      return -LibC.errno();
    }
    try {
      ByteBuffer how = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      how.putLong(LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK);
      how.putLong(0);
      how.putLong(LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);
      String rel = path.isEmpty() ? "." : path;
      long fd = C.syscall(LibC.SYS_OPENAT2, rootFd, rel, how.array(), 24);
      return fd < 0 ? -LibC.errno() : (int) fd;
    } finally {
      C.close(rootFd);
    }
  }

  private static InputStream checkedRegular(FdInputStream in, Path root, String path)
      throws IOException, HostRuntimeException {
    boolean regular;
    try {
      regular = Files.isRegularFile(Path.of("/proc/self/fd/" + in.fd));
    } catch (RuntimeException e) {
      regular = false;
    }
    if (!regular) {
      in.close();
      throw notRegular(path);
    }
    return in;
  }

  private static HostRuntimeException notRegular(String path) {
    return HostRuntimeException.badInput("\"" + display(path) + "\": not a regular file");
  }

  private static List<String> components(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty() && !s.equals(".")) {
        out.add(s);
      }
    }
    return out;
  }

  private static String join(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }

  private static String display(String path) {
    return path.startsWith("/") ? path : "/" + path;
  }

  /** Reads a file descriptor (O_NONBLOCK is harmless for the regular files it is used on). */
  private static final class FdInputStream extends InputStream {
    private final int fd;
    private boolean closed;

    FdInputStream(int fd) {
      this.fd = fd;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("stream closed");
      }
      if (len == 0) {
        return 0;
      }
      byte[] buf = off == 0 ? b : new byte[len];
      long n;
      do {
        n = C.read(fd, buf, len);
      } while (n < 0 && LibC.errno() == Errno.EINTR);
      if (n < 0) {
        throw new IOException(LibC.describe("read"));
      }
      if (n == 0) {
        return -1;
      }
      if (buf != b) {
        System.arraycopy(buf, 0, b, off, (int) n);
      }
      return (int) n;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        C.close(fd);
      }
    }
  }
}
