package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.byref.IntByReference;

/**
 * Runs a short-lived host helper (a CNI plugin) with glibc's posix_spawn: its stdin from bytes, its
 * stdout and stderr collected, killed at a deadline. Unlike {@link ProcessBuilder} there is no
 * jspawnhelper to exec first, no process reaper thread and no pipe-draining thread: one poll loop
 * on the calling thread, which is the child's parent (a parent-death signal set in the child is
 * keyed to it). Every fd of the JVM but the three pipes is closed in the child.
 */
public final class HelperProcess {

  private static final LibC C = LibC.INSTANCE;
  private static final short POLLOUT = 0x4;
  private static final short POLLERR = 0x8;
  private static final short POLLHUP = 0x10;
  private static final int CHUNK = 4096; // at most PIPE_BUF: a write after POLLOUT never blocks

  /** What it printed and how it ended: the exit code, or 128 + the signal that killed it. */
  public record Result(int exitCode, byte[] stdout, byte[] stderr) {}

  private HelperProcess() {}

  /**
   * Runs {@code argv} (argv[0] an absolute path) with exactly {@code env}, feeding it {@code stdin}
   * and waiting for it at most {@code timeout} (then it is killed: FAILED, retryable). {@code
   * action} prefixes the messages.
   */
  public static Result run(
      List<String> argv, List<String> env, byte[] stdin, Duration timeout, String action)
      throws HostRuntimeException {
    int[] in = pipe(action);
    int[] out = pipe(action);
    int[] err = pipe(action);
    int pid;
    try {
      pid = spawn(argv, env, in[0], out[1], err[1], action);
    } finally {
      C.close(in[0]);
      C.close(out[1]);
      C.close(err[1]);
    }
    ByteArrayOutputStream stdout = new ByteArrayOutputStream(1024);
    ByteArrayOutputStream stderr = new ByteArrayOutputStream(256);
    boolean done = false;
    int[] fds = {in[1], POLLOUT, out[0], LibC.POLLIN, err[0], LibC.POLLIN};
    try {
      done = pump(fds, stdin, stdout, stderr, timeout);
    } finally {
      if (!done) {
        C.kill(pid, LibC.SIGKILL);
      }
      if (fds[0] >= 0) {
        C.close(in[1]);
      }
      C.close(out[0]);
      C.close(err[0]);
    }
    int status = reap(pid);
    if (!done) {
      throw new HostRuntimeException(
          HostRuntimeException.Kind.FAILED,
          action + ": no answer in " + timeout.toSeconds() + " s",
          null,
          true);
    }
    int code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    return new Result(code, stdout.toByteArray(), stderr.toByteArray());
  }

  private static int[] pipe(String action) throws HostRuntimeException {
    int[] fds = new int[2];
    if (C.pipe2(fds, LibC.O_CLOEXEC) < 0) {
      throw HostRuntimeException.failed(LibC.describe(action + ": create a pipe"));
    }
    return fds;
  }

  private static int spawn(
      List<String> argv, List<String> env, int stdin, int stdout, int stderr, String action)
      throws HostRuntimeException {
    try (Spawn spawn = new Spawn((short) 0)) {
      return spawn
          .dup2(stdin, 0)
          .dup2(stdout, 1)
          .dup2(stderr, 2)
          .closeFrom(3)
          .start(
              argv.get(0),
              argv.toArray(new String[argv.size() + 1]),
              env.toArray(new String[env.size() + 1]),
              action);
    }
  }

  /**
   * Feeds stdin and drains both outputs until both end; false at the deadline. {@code fds} is the
   * pollfd array of stdin's write end and both read ends; an entry set to -1 is done (stdin's
   * closed here, the outputs by the caller).
   */
  private static boolean pump(
      int[] fds,
      byte[] input,
      ByteArrayOutputStream stdout,
      ByteArrayOutputStream stderr,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int written = 0;
    byte[] buf = new byte[8192];
    if (input.length == 0) {
      C.close(fds[0]);
      fds[0] = -1;
    }
    while (fds[2] >= 0 || fds[4] >= 0) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      for (int i = 1; i < fds.length; i += 2) {
        fds[i] &= 0xffff; // clear last round's revents
      }
      int rc = C.poll(fds, 3, (int) Math.min(left, Integer.MAX_VALUE));
      if (rc < 0 && LibC.errno() != Errno.EINTR) {
        return false;
      }
      if (rc <= 0) {
        continue;
      }
      if (fds[0] >= 0 && revents(fds[1]) != 0) {
        boolean stop = (revents(fds[1]) & POLLOUT) == 0; // POLLERR: the helper closed its stdin
        if (!stop) {
          int n = Math.min(CHUNK, input.length - written);
          long w = C.write(fds[0], Arrays.copyOfRange(input, written, written + n), n);
          if (w > 0) {
            written += (int) w;
          }
          stop = written == input.length || (w < 0 && LibC.errno() != Errno.EINTR);
        }
        if (stop) {
          C.close(fds[0]); // all of it, or the helper stopped reading: its answer tells
          fds[0] = -1;
        }
      }
      drain(fds, 2, buf, stdout);
      drain(fds, 4, buf, stderr);
    }
    return true;
  }

  private static void drain(int[] fds, int at, byte[] buf, ByteArrayOutputStream to) {
    if (fds[at] < 0 || (revents(fds[at + 1]) & (LibC.POLLIN | POLLHUP | POLLERR)) == 0) {
      return;
    }
    long n = C.read(fds[at], buf, buf.length);
    if (n > 0) {
      to.write(buf, 0, (int) n);
    } else if (n == 0 || LibC.errno() != Errno.EINTR) {
      fds[at] = -1; // end of file: the helper closed it (exited); the caller closes the fd
    }
  }

  private static int revents(int packed) {
    return (packed >>> 16) & 0xffff;
  }

  private static int reap(int pid) {
    IntByReference status = new IntByReference();
    while (C.waitpid(pid, status, 0) < 0 && LibC.errno() == Errno.EINTR) {
      // again
    }
    return status.intValue();
  }
}
