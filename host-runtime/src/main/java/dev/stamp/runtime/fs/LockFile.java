package dev.stamp.runtime.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A lock shared by threads and processes: a {@link ReentrantReadWriteLock} inside this JVM (file
 * locks are per process, so two threads could not both hold one) plus an fcntl lock on the file for
 * other processes. Shared holders in this JVM share one shared file lock.
 */
public final class LockFile {

  private static final Map<Path, LockFile> LOCKS = new ConcurrentHashMap<>();

  private final Path path;
  private final ReentrantReadWriteLock jvmLock = new ReentrantReadWriteLock();
  private FileChannel channel;
  private FileLock sharedLock;
  private int sharedHolders;

  private LockFile(Path path) {
    this.path = path;
  }

  /** The lock on {@code path} (created when missing). One object per path in the JVM. */
  public static LockFile of(Path path) {
    return LOCKS.computeIfAbsent(path.toAbsolutePath().normalize(), LockFile::new);
  }

  /** A held lock; closing releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** Waits for the exclusive lock. */
  public Held exclusive() throws IOException {
    jvmLock.writeLock().lock();
    try {
      FileLock lock = channel().lock(0, Long.MAX_VALUE, false);
      return () -> releaseExclusive(lock);
    } catch (IOException | RuntimeException e) {
      jvmLock.writeLock().unlock();
      throw e;
    }
  }

  /** The exclusive lock if nobody (thread or process) holds the lock now, else null. */
  public Held tryExclusive() throws IOException {
    if (!jvmLock.writeLock().tryLock()) {
      return null;
    }
    try {
      FileLock lock = channel().tryLock(0, Long.MAX_VALUE, false);
      if (lock == null) {
        jvmLock.writeLock().unlock();
        return null;
      }
      return () -> releaseExclusive(lock);
    } catch (IOException | RuntimeException e) {
      jvmLock.writeLock().unlock();
      throw e;
    }
  }

  /** Waits for a shared lock (many holders at once; excludes exclusive holders). */
  public Held shared() throws IOException {
    jvmLock.readLock().lock();
    try {
      synchronized (this) {
        if (sharedHolders == 0) {
          sharedLock = channel().lock(0, Long.MAX_VALUE, true);
        }
        sharedHolders++;
      }
      return this::releaseShared;
    } catch (IOException | RuntimeException e) {
      jvmLock.readLock().unlock();
      throw e;
    }
  }

  private void releaseShared() {
    synchronized (this) {
      if (--sharedHolders == 0) {
        release(sharedLock);
        sharedLock = null;
      }
    }
    jvmLock.readLock().unlock();
  }

  private void releaseExclusive(FileLock lock) {
    release(lock);
    jvmLock.writeLock().unlock();
  }

  private static void release(FileLock lock) {
    try {
      lock.release();
    } catch (IOException e) {
      // The channel stays open for the JVM's lifetime; a failed unlock means it is already gone.
    }
  }

  private synchronized FileChannel channel() throws IOException {
    if (channel == null || !channel.isOpen()) {
      Files.createDirectories(path.getParent());
      channel =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    return channel;
  }
}
