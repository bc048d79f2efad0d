package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.Errno;
import dev.stamp.runtime.linux.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A network namespace kept alive by a file, as {@code ip netns add} does it: a bind mount of a
 * thread's {@code /proc/thread-self/ns/net} onto an empty file. Namespaces belong to threads, so a
 * short-lived dedicated thread unshares the network namespace, brings its loopback up and mounts
 * it; the namespace then lives as long as the mount (or a process inside it).
 */
final class NetnsFile {

  private static final LibC LIBC = LibC.INSTANCE;

  private NetnsFile() {}

  /** Creates the namespace and its file at {@code path}; the file must not exist. */
  static void create(Path path) throws HostRuntimeException {
    String action = "create network namespace " + path;
    try {
      Files.createDirectories(path.getParent());
      Files.createFile(path);
    } catch (FileAlreadyExistsException e) {
      throw HostRuntimeException.conflict(action + ": the file already exists");
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
    AtomicReference<String> failure = new AtomicReference<>();
    Thread thread = new Thread(() -> failure.set(unshareAndMount(path)), "stamp-netns");
    thread.start();
    joinUninterruptibly(thread);
    if (failure.get() != null) {
      throw HostRuntimeException.failed(action + ": " + failure.get());
    }
  }

  /** Runs on the dedicated thread; returns what failed, or null. */
  private static String unshareAndMount(Path path) {
    if (LIBC.unshare(LibC.CLONE_NEWNET) != 0) {
      return LibC.describe("unshare(CLONE_NEWNET)");
    }
    String loopback = Links.bringUp("lo");
    if (loopback != null) {
      return loopback;
    }
    if (LIBC.mount("/proc/thread-self/ns/net", path.toString(), "none", LibC.MS_BIND, null) != 0) {
      return LibC.describe("bind-mount /proc/thread-self/ns/net");
    }
    return null;
  }

  /** Whether {@code path} is a mounted namespace file (not just an empty file left by a crash). */
  static boolean isNamespace(Path path) {
    byte[] buf = new byte[LibC.STATFS_BYTES];
    if (LIBC.statfs(path.toString(), buf) != 0) {
      return false;
    }
    long type = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getLong(0);
    return type == LibC.NSFS_MAGIC;
  }

  /**
   * Unmounts every mount stacked on {@code path} and deletes the file. Missing is fine; the
   * namespace itself goes away once no process is left in it.
   */
  static void remove(Path path) throws HostRuntimeException {
    String action = "remove network namespace " + path;
    for (int i = 0; i < 16 && isNamespace(path); i++) {
      if (LIBC.umount2(path.toString(), LibC.MNT_DETACH) != 0) {
        int errno = LibC.errno();
        if (errno != Errno.EINVAL && errno != Errno.ENOENT) {
          throw HostRuntimeException.failed(LibC.describe(action + ": umount"));
        }
        break;
      }
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
  }

  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
