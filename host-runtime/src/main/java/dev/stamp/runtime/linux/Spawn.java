package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * One {@code posix_spawn}: its file actions, added in order, and its attributes, with the child's
 * signals reset (an empty mask, every signal at its default: a JVM thread's mask and handlers are
 * not the child's). {@link #close} frees both. What {@link HelperProcess} and {@link ShimLauncher}
 * start their children with.
 */
final class Spawn implements AutoCloseable {

  private static final LibC C = LibC.INSTANCE;
  private static final Runtime RT = Runtime.getRuntime(C);

  private final Pointer actions = Memory.allocateDirect(RT, LibC.SPAWN_STRUCT_BYTES);
  private final Pointer attr = Memory.allocateDirect(RT, LibC.SPAWN_STRUCT_BYTES);

  /** {@code flags}: more {@code POSIX_SPAWN_*} flags (e.g. {@code SETSID}), or 0. */
  Spawn(short flags) {
    C.posix_spawn_file_actions_init(actions);
    C.posix_spawnattr_init(attr);
    Pointer none = Memory.allocateDirect(RT, 128);
    Pointer all = Memory.allocateDirect(RT, 128);
    C.sigemptyset(none);
    C.sigfillset(all);
    C.posix_spawnattr_setsigmask(attr, none);
    C.posix_spawnattr_setsigdefault(attr, all);
    C.posix_spawnattr_setflags(
        attr, (short) (flags | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF));
  }

  /** The child's {@code to} is this process's {@code from}. */
  Spawn dup2(int from, int to) {
    C.posix_spawn_file_actions_adddup2(actions, from, to);
    return this;
  }

  /** The child's {@code fd} is {@code path}, opened with {@code flags} (and {@code mode}). */
  Spawn open(int fd, String path, int flags, int mode) {
    C.posix_spawn_file_actions_addopen(actions, fd, path, flags, mode);
    return this;
  }

  /** The child keeps no descriptor from {@code fd} up. */
  Spawn closeFrom(int fd) {
    C.posix_spawn_file_actions_addclosefrom_np(actions, fd);
    return this;
  }

  /**
   * Starts {@code path} with {@code argv} and {@code envp} (each ending with a null) and returns
   * its pid; a failure names {@code action} and the program.
   */
  int start(String path, String[] argv, String[] envp, String action) throws HostRuntimeException {
    IntByReference pid = new IntByReference();
    int rc = C.posix_spawn(pid, path, actions, attr, argv, envp);
    if (rc != 0) {
      throw HostRuntimeException.failed(
          action + ": spawn " + path + ": " + C.strerror(rc) + " (errno " + rc + ")");
    }
    return pid.intValue();
  }

  @Override
  public void close() {
    C.posix_spawn_file_actions_destroy(actions);
    C.posix_spawnattr_destroy(attr);
  }
}
