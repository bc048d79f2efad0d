package dev.stamp.runtime.linux;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;

/**
 * The slice of glibc that Stamp calls through jnr-ffi. One interface for the whole module: add a
 * function here rather than declaring a second binding elsewhere. Calls that can fail carry {@link
 * SaveError}; read errno with {@link #errno()} and describe it with {@link #describe(String)}.
 */
public interface LibC {

  /** The process-wide binding (loaded once; jnr-ffi bindings are thread-safe). */
  LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

  /** errno of the last {@link SaveError} call on this thread. */
  static int errno() {
    return Runtime.getRuntime(INSTANCE).getLastError();
  }

  /** "ACTION: strerror(errno) (errno N)" for the last failed call on this thread. */
  static String describe(String action) {
    int e = errno();
    return action + ": " + INSTANCE.strerror(e) + " (errno " + e + ")";
  }

  // --- constants (x86_64 / generic Linux) ---
  int O_RDONLY = 0;
  int O_WRONLY = 1;
  int O_RDWR = 2;
  int O_CREAT = 0100;
  int O_TRUNC = 01000;
  int O_APPEND = 02000;
  int O_NONBLOCK = 04000;
  int O_DIRECTORY = 0200000;
  int O_NOFOLLOW = 0400000;
  int O_CLOEXEC = 02000000;
  int O_PATH = 010000000;

  int CLONE_NEWNS = 0x00020000;
  int CLONE_NEWCGROUP = 0x02000000;
  int CLONE_NEWUTS = 0x04000000;
  int CLONE_NEWIPC = 0x08000000;
  int CLONE_NEWUSER = 0x10000000;
  int CLONE_NEWPID = 0x20000000;
  int CLONE_NEWNET = 0x40000000;

  long MS_RDONLY = 1;
  long MS_NOSUID = 2;
  long MS_NODEV = 4;
  long MS_NOEXEC = 8;
  long MS_REMOUNT = 32;
  long MS_BIND = 4096;
  long MS_MOVE = 8192;
  long MS_REC = 16384;
  long MS_PRIVATE = 1 << 18;
  long MS_SLAVE = 1 << 19;

  int MNT_DETACH = 2;
  int MNT_EXPIRE = 4;
  int UMOUNT_NOFOLLOW = 8;

  int S_IFCHR = 0020000;
  int S_IFBLK = 0060000;
  int S_IFIFO = 0010000;

  int WNOHANG = 1;
  int SIGKILL = 9;
  int SIGTERM = 15;

  // --- identity and processes ---
  int getpid();

  int gettid();

  int getuid();

  int geteuid();

  @SaveError
  int kill(int pid, int signal);

  @SaveError
  int waitpid(int pid, @Out IntByReference status, int options);

  // --- files ---
  @SaveError
  int open(String path, int flags, int mode);

  @SaveError
  int close(int fd);

  @SaveError
  long read(int fd, @Out byte[] buf, long count);

  @SaveError
  long write(int fd, @In byte[] buf, long count);

  @SaveError
  int pipe2(@Out int[] fds, int flags);

  @SaveError
  int mknod(String path, int mode, long dev);

  @SaveError
  int lchown(String path, int uid, int gid);

  @SaveError
  int lsetxattr(String path, String name, @In byte[] value, long size, int flags);

  @SaveError
  long lgetxattr(String path, String name, @Out byte[] value, long size);

  @SaveError
  long llistxattr(String path, @Out byte[] list, long size);

  // --- mounts and namespaces ---
  @SaveError
  int mount(String source, String target, String fstype, long flags, String data);

  @SaveError
  int umount2(String target, int flags);

  @SaveError
  int unshare(int flags);

  @SaveError
  int setns(int fd, int nstype);

  // --- process spawning (glibc posix_spawn; fast and thread-safe from any JVM thread) ---
  @SaveError
  int posix_spawn(
      @Out IntByReference pid,
      String path,
      Pointer fileActions,
      Pointer attr,
      @In String[] argv,
      @In String[] envp);

  int posix_spawn_file_actions_init(Pointer fileActions);

  int posix_spawn_file_actions_destroy(Pointer fileActions);

  int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newfd);

  int posix_spawn_file_actions_addopen(
      Pointer fileActions, int fd, String path, int oflag, int mode);

  int posix_spawn_file_actions_addclose(Pointer fileActions, int fd);

  /** glibc 2.34+: close every fd >= {@code from} in the child. */
  int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

  int posix_spawnattr_init(Pointer attr);

  int posix_spawnattr_destroy(Pointer attr);

  int posix_spawnattr_setflags(Pointer attr, short flags);

  int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

  int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

  int sigemptyset(Pointer set);

  int sigfillset(Pointer set);

  /** Bytes to allocate for posix_spawn_file_actions_t / posix_spawnattr_t / sigset_t (generous). */
  int SPAWN_STRUCT_BYTES = 512;

  short POSIX_SPAWN_SETSIGMASK = 0x08;
  short POSIX_SPAWN_SETSIGDEF = 0x04;
  short POSIX_SPAWN_SETSID = 0x80;

  String strerror(int errnum);

  // --- networking (dev.stamp.runtime.network): netns files, link flags, bridges ---
  int AF_INET = 2;
  int SOCK_DGRAM = 2;
  int SOCK_CLOEXEC = 02000000;

  /** struct ifreq: 16 bytes of name, then a union whose first short holds the flags. */
  int IFREQ_BYTES = 40;

  long SIOCGIFFLAGS = 0x8913;
  long SIOCSIFFLAGS = 0x8914;
  long SIOCGIFHWADDR = 0x8927;
  long SIOCSIFHWADDR = 0x8924;
  long SIOCBRDELBR = 0x89a1;
  short ARPHRD_ETHER = 1;
  short IFF_UP = 0x1;

  /** statfs f_type of a namespace file (a bind mount of /proc/PID/ns/net). */
  long NSFS_MAGIC = 0x6e736673L;

  /** Bytes to allocate for struct statfs (120 on x86_64; generous). f_type is the first long. */
  int STATFS_BYTES = 256;

  @SaveError
  int socket(int domain, int type, int protocol);

  /** ioctl whose third argument points at {@code arg} (struct ifreq, or a bridge name). */
  @SaveError
  int ioctl(int fd, long request, @In @Out byte[] arg);

  @SaveError
  int statfs(String path, @Out byte[] buf);

  // --- layers (unpacking and writing image layers: modes, times, filesystem sync) ---
  int AT_FDCWD = -100;
  int AT_SYMLINK_NOFOLLOW = 0x100;
  int XATTR_CREATE = 1;
  int XATTR_REPLACE = 2;

  /** Sets all 12 permission bits (setuid, setgid, sticky too, which java.nio cannot). */
  @SaveError
  int chmod(String path, int mode);

  /**
   * Sets access and modification times; {@code times} is {atime s, atime ns, mtime s, mtime ns};
   * with {@link #AT_SYMLINK_NOFOLLOW} a symlink itself is changed.
   */
  @SaveError
  int utimensat(int dirfd, String path, @In long[] times, int flags);

  @SaveError
  int lremovexattr(String path, String name);

  /** {@code openat2(2)}'s syscall number (x86_64 and the generic table alike). */
  long SYS_OPENAT2 = 437;

  int RESOLVE_NO_MAGICLINKS = 0x02;
  int RESOLVE_IN_ROOT = 0x10;

  /**
   * {@code syscall(SYS_openat2, dirfd, path, how, size)}: {@code how} is a {@code struct open_how}
   * ({@code u64 flags, u64 mode, u64 resolve}, little-endian). ENOSYS on kernels before 5.6.
   */
  @SaveError
  long syscall(long number, int dirfd, String path, @In byte[] how, long size);

  /** The target of a symlink, byte for byte; returns its length. */
  @SaveError
  long readlink(String path, @Out byte[] buf, long size);

  /** Creates {@code linkpath} pointing at {@code target}, byte for byte (no normalisation). */
  @SaveError
  int symlink(String target, String linkpath);

  /** Flushes the whole filesystem that {@code fd} is on to disk. */
  @SaveError
  int syncfs(int fd);

  // --- container runtime (ShimLauncher, ProcessWatch) ---
  int F_DUPFD_CLOEXEC = 1030;
  short POLLIN = 0x1;

  @SaveError
  int fcntl(int fd, int cmd, int arg);

  /** A pollfd array as ints: {fd, events | revents << 16} per entry (x86_64 layout). */
  @SaveError
  int poll(@In @Out int[] fds, long nfds, int timeoutMillis);

  /** glibc 2.36+: a file descriptor that names the process (no pid reuse race). */
  @SaveError
  int pidfd_open(int pid, int flags);

  @SaveError
  int pidfd_send_signal(int pidfd, int signal, Pointer info, int flags);

  // --- terminals (Terminal: raw mode and window size for -it and attach) ---
  int TCSANOW = 0;
  long TIOCGWINSZ = 0x5413;

  /** Bytes to allocate for struct termios (60 on x86_64; generous). */
  int TERMIOS_BYTES = 64;

  int isatty(int fd);

  @SaveError
  int tcgetattr(int fd, @Out byte[] termios);

  @SaveError
  int tcsetattr(int fd, int optionalActions, @In byte[] termios);

  void cfmakeraw(@In @Out byte[] termios);
}
