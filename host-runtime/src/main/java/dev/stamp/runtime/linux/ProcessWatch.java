package dev.stamp.runtime.linux;

import java.time.Duration;

/**
 * Signals and waits for processes that are not the JVM's children (container processes, shims),
 * through pidfds: a signal never reaches a process that reused the pid.
 */
public final class ProcessWatch {

  private static final LibC C = LibC.INSTANCE;

  private ProcessWatch() {}

  /** Sends {@code signal}; false when the process is already gone. */
  public static boolean signal(ProcessId process, int signal) {
    int fd = open(process);
    if (fd < 0) {
      return false;
    }
    try {
      return C.pidfd_send_signal(fd, signal, null, 0) == 0;
    } finally {
      C.close(fd);
    }
  }

  /** Waits until the process has exited; true if it did within {@code timeout}. */
  public static boolean awaitExit(ProcessId process, Duration timeout) {
    int fd = open(process);
    if (fd < 0) {
      return true;
    }
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        int[] pollFd = {fd, LibC.POLLIN};
        int rc = C.poll(pollFd, 1, (int) Math.min(left, Integer.MAX_VALUE));
        if (rc > 0) {
          return true;
        }
        if (rc == 0 || (rc < 0 && LibC.errno() != Errno.EINTR)) {
          return rc != 0 && !process.isAlive();
        }
      }
    } finally {
      C.close(fd);
    }
  }

  /** A pidfd for exactly this process, or -1 when it no longer exists. */
  private static int open(ProcessId process) {
    int fd = C.pidfd_open(process.pid(), 0);
    if (fd < 0) {
      return -1;
    }
    if (!process.isAlive()) { // the pid now names another process (checked after opening)
      C.close(fd);
      return -1;
    }
    return fd;
  }
}
