package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one writer of a mirror at a time: a lock per mirror directory shared by every {@link
 * GitRepository} of this JVM, plus an OS file lock ({@code stamp.lock} in the mirror) against
 * another process. The OS drops the file lock when a process dies, so whoever holds it may treat
 * Git lock files it finds as left by a crash.
 */
final class MirrorLock {

  private static final ConcurrentMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private final ReentrantLock lock;

  MirrorLock(Path mirror) {
    this.file = mirror.resolve("stamp.lock");
    this.lock =
        LOCKS.computeIfAbsent(mirror.toAbsolutePath().normalize(), p -> new ReentrantLock());
  }

  /** One key per directory however it is named (two OS locks of one JVM on one file clash). */
  private static Path canonical(Path mirror) {
    try {
      return mirror.toRealPath();
    } catch (IOException e) {
      return mirror.toAbsolutePath().normalize();
    }
  }

  /** Runs {@code body} holding both locks. */
  <T> T with(String action, Body<T> body) throws ControllerException {
    lock.lock();
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      return body.run();
    } catch (IOException e) {
      throw ControllerException.failed(
          action + ": cannot lock the mirror (" + file + "): " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  interface Body<T> {
    T run() throws ControllerException;
  }
}
