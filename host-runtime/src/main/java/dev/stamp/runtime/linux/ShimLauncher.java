package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.byref.IntByReference;

/**
 * Starts {@code stamp-shim} with glibc's posix_spawn (callable from any JVM thread; no fork of the
 * JVM, no jspawnhelper) in a new session, with fds 0/1 on /dev/null, 2 on the shim's log, 3 on the
 * status pipe and, for a foreground run, 4/5 on this JVM's own stdout/stderr so the shim relays the
 * container's output straight to the CLI's terminal or pipe. Every other fd is closed.
 */
public final class ShimLauncher {

  private static final LibC C = LibC.INSTANCE;

  /** The fd the shim's container reads its release from (stamp-shim.h's HOLD_FD). */
  private static final int HOLD_FD = 6;

  private final Path shim;

  public ShimLauncher(Path shim) {
    this.shim = shim;
  }

  /**
   * Spawns {@code stamp-shim specFile}, reaps the short-lived first shim process (the monitor forks
   * away from it) and returns the read end of the status pipe.
   */
  public StatusPipe spawn(Path specFile, Path shimLog, boolean relayStdio, String action)
      throws HostRuntimeException {
    return spawn(specFile, shimLog, relayStdio, -1, -1, action);
  }

  /**
   * A shim whose container waits, once its root filesystem is built, for {@link #release} (its spec
   * says {@code hold=1}; see stamp-shim.h): the write end of that hold pipe.
   */
  public record Held(StatusPipe status, int hold) {
    /** Lets the container's command run. False when the container is gone already. */
    public boolean release() {
      byte[] go = {'1'};
      boolean ok = C.write(hold, go, 1) == 1;
      C.close(hold);
      return ok;
    }

    /** Fails the start instead: the container exits before its command, the status pipe says so. */
    public void abandon() {
      C.close(hold);
    }
  }

  /**
   * Spawns {@code stamp-shim specFile} for a spec with {@code hold=1}: the container waits for
   * {@link Held#release} before its command runs.
   */
  public Held spawnHeld(Path specFile, Path shimLog, boolean relayStdio, String action)
      throws HostRuntimeException {
    int[] hold = highPipe("hold", action);
    int readEnd = hold[0];
    int writeEnd = hold[1];
    try {
      return new Held(spawn(specFile, shimLog, relayStdio, -1, readEnd, action), writeEnd);
    } catch (HostRuntimeException e) {
      C.close(writeEnd);
      throw e;
    } finally {
      C.close(readEnd);
    }
  }

  /** A standby shim (see stamp-shim.h) and the write end of its control pipe. */
  public record Standby(StatusPipe status, int control) {
    /** Hands the standby its container: the full spec's path. Closes the control pipe. */
    public boolean assign(Path specFile) {
      byte[] line = (specFile + "\n").getBytes(StandardCharsets.UTF_8);
      boolean ok = C.write(control, line, line.length) == line.length;
      C.close(control);
      return ok;
    }

    /** Discards it: the shim kills its half-made container and exits. */
    public void discard() {
      C.close(control);
      status.close();
    }
  }

  /**
   * A close-on-exec pipe, {@code [read, write]}, both ends at fd 10 or above: clear of fds 3-6,
   * which the shim's spawn dup2s its status, control and hold pipes onto.
   */
  private static int[] highPipe(String name, String action) throws HostRuntimeException {
    int[] fds = new int[2];
    if (C.pipe2(fds, LibC.O_CLOEXEC) < 0) {
      throw HostRuntimeException.failed(LibC.describe(action + ": create " + name + " pipe"));
    }
    int readEnd = C.fcntl(fds[0], LibC.F_DUPFD_CLOEXEC, 10);
    int writeEnd = readEnd < 0 ? -1 : C.fcntl(fds[1], LibC.F_DUPFD_CLOEXEC, 10);
    String failure = writeEnd < 0 ? LibC.describe(action + ": move the " + name + " pipe") : null;
    C.close(fds[0]);
    C.close(fds[1]);
    if (failure != null) {
      if (readEnd >= 0) {
        C.close(readEnd);
      }
      throw HostRuntimeException.failed(failure);
    }
    return new int[] {readEnd, writeEnd};
  }

  /** Spawns {@code stamp-shim --standby specFile}: namespaces and cgroups now, the rest later. */
  public Standby spawnStandby(Path specFile, Path shimLog, String action)
      throws HostRuntimeException {
    int[] control = highPipe("control", action);
    int readEnd = control[0];
    int writeEnd = control[1];
    try {
      return new Standby(spawn(specFile, shimLog, false, readEnd, -1, action), writeEnd);
    } catch (HostRuntimeException e) {
      C.close(writeEnd);
      throw e;
    } finally {
      C.close(readEnd);
    }
  }

  private StatusPipe spawn(
      Path specFile, Path shimLog, boolean relayStdio, int controlFd, int holdFd, String action)
      throws HostRuntimeException {
    int[] pipe = new int[2];
    if (C.pipe2(pipe, LibC.O_CLOEXEC) < 0) {
      throw HostRuntimeException.failed(LibC.describe(action + ": create status pipe"));
    }
    int writeEnd = C.fcntl(pipe[1], LibC.F_DUPFD_CLOEXEC, 10); // clear of the fds dup2'ed below
    C.close(pipe[1]);
    try (Spawn spawn = new Spawn(LibC.POSIX_SPAWN_SETSID)) {
      spawn.dup2(writeEnd, 3);
      if (controlFd >= 0) {
        spawn.dup2(controlFd, 4);
      }
      if (relayStdio) {
        spawn.dup2(1, 4).dup2(2, 5);
      }
      if (holdFd >= 0) {
        spawn.dup2(holdFd, HOLD_FD);
        if (!relayStdio) { // fds 4 and 5 stay below the closefrom: nothing of the JVM's there
          spawn.open(4, "/dev/null", LibC.O_RDONLY, 0).open(5, "/dev/null", LibC.O_RDONLY, 0);
        }
      }
      spawn
          .open(0, "/dev/null", LibC.O_RDONLY, 0)
          .open(1, "/dev/null", LibC.O_WRONLY, 0)
          .open(2, shimLog.toString(), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, 0640)
          .closeFrom(holdFd >= 0 ? HOLD_FD + 1 : relayStdio ? 6 : controlFd >= 0 ? 5 : 4);
      String[] argv =
          controlFd >= 0
              ? new String[] {shim.toString(), "--standby", specFile.toString(), null}
              : new String[] {shim.toString(), specFile.toString(), null};
      String[] envp = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", null};
      int pid;
      try {
        pid = spawn.start(shim.toString(), argv, envp, action);
      } catch (HostRuntimeException e) {
        C.close(pipe[0]);
        throw e;
      } finally {
        C.close(writeEnd);
      }
      return new StatusPipe(pipe[0], pid);
    }
  }

  /**
   * The read end of the shim's status pipe: lines "started PID", "error ...", "exited CODE". Used
   * by one thread at a time.
   */
  public static final class StatusPipe implements AutoCloseable {
    private final int fd;
    private int firstShim;
    private byte[] pending = new byte[0];
    private boolean closed;

    StatusPipe(int fd, int firstShim) {
      this.fd = fd;
      this.firstShim = firstShim;
    }

    /**
     * Reaps the first shim process (it exits as soon as the monitor has forked away from it); done
     * after the first status line rather than right after spawning, to keep it off the start path.
     */
    private void reapFirstShim() {
      if (firstShim > 0) {
        C.waitpid(firstShim, new IntByReference(), 0);
        firstShim = 0;
      }
    }

    /** The next line, or null at end of file (the shim is gone). Blocks. */
    public String readLine() {
      byte[] buf = new byte[512];
      while (true) {
        for (int i = 0; i < pending.length; i++) {
          if (pending[i] == '\n') {
            String line = new String(pending, 0, i, StandardCharsets.UTF_8);
            pending = java.util.Arrays.copyOfRange(pending, i + 1, pending.length);
            return line;
          }
        }
        long n = closed ? 0 : C.read(fd, buf, buf.length);
        if (n < 0 && LibC.errno() == Errno.EINTR) {
          continue;
        }
        reapFirstShim();
        if (n <= 0) {
          String rest = pending.length == 0 ? null : new String(pending, StandardCharsets.UTF_8);
          pending = new byte[0];
          return rest;
        }
        byte[] more = java.util.Arrays.copyOf(pending, pending.length + (int) n);
        System.arraycopy(buf, 0, more, pending.length, (int) n);
        pending = more;
      }
    }

    /** Stops listening: a detached container's shim then runs its cleanup itself. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        C.close(fd);
      }
      reapFirstShim();
    }
  }
}
