/*
 * The container's first process, in its new namespaces: cgroups first, then the root filesystem
 * (overlay, /proc, /dev, /sys, binds, masked and read-only paths), the pivot, the workdir, users
 * and capabilities, then the command (or --init). Any failure: fail(), one line to the monitor.
 */
#include "stamp-shim.h"

#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

int error_fd = -1;

void fail(const char *fmt, ...) {
  int e = errno;
  char step[2048], line[2300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(step, sizeof step, fmt, ap);
  va_end(ap);
  int n = snprintf(line, sizeof line, "%s: %s (errno %d)", step, strerror(e), e);
  write_all(error_fd, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
  _exit(e == ENOENT ? 127 : 126);
}

/* Same, for a failure that is no syscall's (the message says everything). */
static void fail_msg(const char *msg) {
  write_all(error_fd, msg, strlen(msg));
  _exit(126);
}

static void write_str_to(const char *path, const char *value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write_all(fd, value, strlen(value)) < 0) fail("join cgroup %s", path);
  close(fd);
}

static char *fd_path(int fd, char buf[static 32]) {
  snprintf(buf, 32, "/proc/self/fd/%d", fd);
  return buf;
}

static int openat2_in_root(int rootfd, const char *path) {
  struct open_how how = {
      .flags = O_PATH | O_CLOEXEC,
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  return syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/*
 * Opens PATH (absolute, as the container sees it) as an O_PATH fd below ROOTFD, creating missing
 * components: directories, and for the last one a directory or an empty file. Symlinks resolve
 * inside the root (RESOLVE_IN_ROOT), so a mount target can never land outside the rootfs.
 */
static int open_in_root_at_depth(int rootfd, const char *path, int last_is_dir, int depth);

static int open_in_root(int rootfd, const char *path, int last_is_dir) {
  return open_in_root_at_depth(rootfd, path, last_is_dir, 0);
}

/*
 * A component that exists but still does not resolve is a dangling symlink (an image's
 * /etc/resolv.conf -> /run/...): create what it points to instead, inside the root, as runc does.
 * DIR is the path of the link's directory, REST what follows the link in the original path.
 */
static int open_link_target(int rootfd, int dirfd, const char *name, const char *dir, size_t dir_len,
                            const char *rest, int last_is_dir, int depth) {
  char link[PATH_MAX], next[PATH_MAX];
  ssize_t n = readlinkat(dirfd, name, link, sizeof link - 1);
  if (n <= 0) return errno = ENOENT, -1;
  if (depth >= 40) return errno = ELOOP, -1;
  link[n] = 0;
  int len = link[0] == '/' ? snprintf(next, sizeof next, "%s%s", link, rest)
                           : snprintf(next, sizeof next, "%.*s/%s%s", (int)dir_len, dir, link, rest);
  if (len < 0 || (size_t)len >= sizeof next) return errno = ENAMETOOLONG, -1;
  return open_in_root_at_depth(rootfd, next, last_is_dir, depth + 1);
}

static int open_in_root_at_depth(int rootfd, const char *path, int last_is_dir, int depth) {
  int fd = openat2_in_root(rootfd, path);
  if (fd >= 0 || errno != ENOENT) return fd;
  char prefix[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof prefix) return errno = ENAMETOOLONG, -1;
  int parent = dup(rootfd);
  size_t i = 0;
  while (i < len) {
    while (i < len && path[i] == '/') i++;
    size_t start = i;
    while (i < len && path[i] != '/') i++;
    if (i == start) break;
    memcpy(prefix, path, i);
    prefix[i] = 0;
    fd = openat2_in_root(rootfd, prefix);
    if (fd < 0 && errno == ENOENT) {
      char name[NAME_MAX + 1];
      snprintf(name, sizeof name, "%.*s", (int)(i - start), path + start);
      int is_last = (i >= len || path[i + strspn(path + i, "/")] == 0);
      if (!is_last || last_is_dir) {
        if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) return close(parent), -1;
      } else {
        int f = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0 && errno != EEXIST) return close(parent), -1;
        if (f >= 0) close(f);
      }
      fd = openat2_in_root(rootfd, prefix);
      if (fd < 0 && errno == ENOENT) {
        fd = open_link_target(rootfd, parent, name, path, start, path + i, last_is_dir, depth);
        close(parent);
        return fd;
      }
    }
    if (fd < 0) return close(parent), -1;
    close(parent);
    parent = fd;
  }
  return parent;
}

/* The image's /proc, /dev or /sys: must be a real directory (a symlink could redirect the mount). */
static int open_system_dir(int rootfd, const char *name) {
  int fd = openat(rootfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (mkdirat(rootfd, name, 0755) < 0) fail("rootfs: create /%s", name);
    fd = openat(rootfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) fail("rootfs: open /%s", name);
  struct stat st;
  if (fstat(fd, &st) < 0) fail("rootfs: stat /%s", name);
  if (!S_ISDIR(st.st_mode)) {
    char msg[256];
    snprintf(msg, sizeof msg, "rootfs: /%s is %s, not a directory (refusing to mount over it)",
             name, S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
    fail_msg(msg);
  }
  return fd;
}

static void mount_on_fd(const char *source, int fd, const char *fstype, unsigned long flags,
                        const char *data, const char *what) {
  char p[32];
  if (mount(source, fd_path(fd, p), fstype, flags, data) < 0) fail("mount %s", what);
}

static void make_dev(int rootfd) {
  int fd = open_system_dir(rootfd, "dev");
  mount_on_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", "/dev");
  close(fd);
  int dev = openat(rootfd, "dev", O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC); /* now the tmpfs */
  if (dev < 0) fail("open /dev");
  static const struct {
    const char *name;
    unsigned major, minor;
  } nodes[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
               {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    if (mknodat(dev, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0)
      fail("mknod /dev/%s", nodes[i].name);
  }
  static const struct {
    const char *target, *name;
  } links[] = {{"/proc/self/fd", "fd"},         {"/proc/self/fd/0", "stdin"},
               {"/proc/self/fd/1", "stdout"},   {"/proc/self/fd/2", "stderr"},
               {"pts/ptmx", "ptmx"},            {"/proc/kcore", "core"}};
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    if (symlinkat(links[i].target, dev, links[i].name) < 0) fail("symlink /dev/%s", links[i].name);
  }
  static const struct {
    const char *name, *fstype, *data;
    mode_t mode;
    unsigned long flags;
  } mounts[] = {
      {"pts", "devpts", "newinstance,ptmxmode=0666,mode=0620,gid=5", 0755, MS_NOSUID | MS_NOEXEC},
      {"shm", "tmpfs", "mode=1777,size=65536k", 01777, MS_NOSUID | MS_NODEV | MS_NOEXEC},
      {"mqueue", "mqueue", NULL, 0755, MS_NOSUID | MS_NODEV | MS_NOEXEC},
  };
  for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
    if (mkdirat(dev, mounts[i].name, mounts[i].mode) < 0) fail("mkdir /dev/%s", mounts[i].name);
    int d = openat(dev, mounts[i].name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (d < 0) fail("open /dev/%s", mounts[i].name);
    mount_on_fd(mounts[i].fstype, d, mounts[i].fstype, mounts[i].flags, mounts[i].data,
                mounts[i].name);
    close(d);
  }
  close(dev);
}

/* Bind mounts and volumes: "rw"/"ro" options; the target is created inside the rootfs if missing. */
static void bind_mounts(int rootfd) {
  for (size_t i = 0; i < spec.n_mounts; i++) {
    struct mount_req *m = &spec.mounts[i];
    int tree = open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) fail("bind mount %s: open source", m->source);
    struct stat st;
    if (fstat(tree, &st) < 0) fail("bind mount %s: stat", m->source);
    if (strstr(m->options, "ro")) {
      struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
      if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
        fail("bind mount %s: make read-only", m->source);
    }
    int target = open_in_root(rootfd, m->target, S_ISDIR(st.st_mode));
    if (target < 0) fail("bind mount %s: target %s", m->source, m->target);
    if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      fail("bind mount %s on %s", m->source, m->target);
    close(tree);
    close(target);
  }
}

/* Docker's masked paths: /dev/null over files, an empty read-only tmpfs over directories. */
static void mask_paths(void) {
  for (size_t i = 0; i < spec.masked.len; i++) {
    const char *path = spec.masked.items[i];
    struct stat st;
    if (lstat(path, &st) < 0) {
      if (errno == ENOENT) continue;
      fail("mask %s", path);
    }
    int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0")
                                 : mount("/dev/null", path, NULL, MS_BIND, NULL);
    if (rc < 0) fail("mask %s", path);
  }
}

static void readonly_paths(void) {
  for (size_t i = 0; i < spec.readonly.len; i++) {
    const char *path = spec.readonly.items[i];
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
      if (errno == ENOENT) continue;
      fail("make %s read-only", path);
    }
    if (mount(NULL, path, NULL,
              MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
      fail("make %s read-only", path);
  }
}

/*
 * The workdir, both when it is created (as root, before --read-only: Docker creates it at create)
 * and when it is entered (as the container's user, just before exec), is resolved from a
 * descriptor of the new root with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: the shim's own
 * descriptors are still open then, so /proc/self/fd/N, /proc/self/cwd or /proc/1/root must never
 * be followed (runc's CVE-2024-21626: a leaked host directory fd as the cwd escapes the root).
 * Such a workdir fails with ELOOP; no path outside the root is ever created or entered.
 */
static void create_workdir(void) {
  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd = root < 0 ? -1 : open_in_root(root, spec.workdir, 1);
  if (fd < 0) fail("create workdir %s", spec.workdir);
  close(fd);
  close(root);
}

static void enter_workdir(void) {
  struct open_how how = {
      .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd = root < 0 ? -1 : syscall(SYS_openat2, root, spec.workdir, &how, sizeof how);
  if (fd < 0 || fchdir(fd) < 0) fail("chdir to workdir %s", spec.workdir);
  close(fd);
  close(root);
  /* As runc does since that CVE: a cwd the root cannot reach makes getcwd fail with ENOENT. */
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd) && errno == ENOENT)
    fail("chdir to workdir %s: the directory is outside the container's root", spec.workdir);
}

/* Namespaces already entered by clone: cgroups first, then the filesystem, then the pivot. */
/* First of all: into the cgroups (from here on everything is limited and accounted), then a
 * cgroup namespace rooted at them. */
static void join_cgroups(void) {
  for (size_t i = 0; i < spec.cgroups.len; i++) write_str_to(spec.cgroups.items[i], "0");
  if (unshare(CLONE_NEWCGROUP) < 0) fail("unshare cgroup namespace");
}

/* Standby: wait for the monitor to pass on the full spec's path, then read the spec. A second
 * line, when present, is the network namespace as the monitor holds it open
 * (/proc/MONITOR/fd/N): this process's mount namespace was copied before the namespace file was
 * bind-mounted on the host, so the spec's own path would show it the empty file underneath. */
static char netns_held[64];

static void await_go(int go) {
  char path[PATH_MAX + sizeof netns_held];
  ssize_t n, got = 0;
  while ((n = read(go, path + got, sizeof path - 1 - got)) > 0 || (n < 0 && errno == EINTR))
    got += n > 0 ? n : 0;
  close(go);
  if (got == 0) _exit(0); /* the standby was discarded */
  path[got] = 0;
  char *held = strchr(path, '\n');
  if (held) {
    *held++ = 0;
    snprintf(netns_held, sizeof netns_held, "%s", held);
  }
  parse_spec(path, 1);
  if (held && spec.netns) spec.netns = netns_held;
}

static void build_rootfs(void) {
  if (spec.netns) {
    int fd = open(spec.netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) fail("join network namespace %s", spec.netns);
    close(fd);
  }
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("make mounts private");
  if (mount("overlay", spec.rootfs, "overlay", 0, spec.overlay) < 0)
    fail("mount overlay rootfs on %s", spec.rootfs);
  int rootfd = open(spec.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) fail("open rootfs %s", spec.rootfs);

  int proc = open_system_dir(rootfd, "proc");
  mount_on_fd("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "/proc");
  close(proc);
  make_dev(rootfd);
  int sys = open_system_dir(rootfd, "sys");
  mount_on_fd("sysfs", sys, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "/sys");
  close(sys);
  bind_mounts(rootfd);
  if (spec.hostname && sethostname(spec.hostname, strlen(spec.hostname)) < 0)
    fail("set hostname %s", spec.hostname);

  if (fchdir(rootfd) < 0) fail("enter rootfs");
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root");
  if (umount2(".", MNT_DETACH) < 0) fail("detach the old root");
  if (chdir("/") < 0) fail("chdir /");
  close(rootfd);

  readonly_paths();
  mask_paths();
  if (spec.workdir) create_workdir(); /* before --read-only: Docker creates it at create */
  if (spec.read_only && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    fail("make the rootfs read-only");
}

/* Bounding set, user and groups, then Docker's capabilities (none survive exec for a non-root
 * user, since it has no file capabilities and no ambient ones), then no_new_privs. */
static void drop_privileges(void) {
  for (int cap = 0; cap < 64; cap++) {
    if (!(spec.caps & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      fail("drop capability %d from the bounding set", cap);
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail("keep capabilities");
  gid_t groups[256];
  size_t n = spec.groups.len < 256 ? spec.groups.len : 256;
  for (size_t i = 0; i < n; i++) groups[i] = (gid_t)atoi(spec.groups.items[i]);
  if (setgroups(n, groups) < 0) fail("setgroups");
  if (setresgid(spec.gid, spec.gid, spec.gid) < 0) fail("setgid %d", spec.gid);
  if (setresuid(spec.uid, spec.uid, spec.uid) < 0) fail("setuid %d", spec.uid);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) fail("reset keepcaps");
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {
      {(uint32_t)spec.caps, (uint32_t)spec.caps, 0},
      {(uint32_t)(spec.caps >> 32), (uint32_t)(spec.caps >> 32), 0},
  };
  if (syscall(SYS_capset, &header, data) < 0) fail("set capabilities");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("set no_new_privs");
}

static const char *env_path(void) {
  for (size_t i = 0; i < spec.env.len; i++)
    if (!strncmp(spec.env.items[i], "PATH=", 5)) return spec.env.items[i] + 5;
  return DEFAULT_PATH;
}

/* execve with a PATH lookup in the container's environment (not the shim's). */
static void exec_command(void) {
  const char *file = spec.args.items[0];
  char **argv = (char **)spec.args.items, **envp = (char **)spec.env.items;
  if (strchr(file, '/')) {
    execve(file, argv, envp);
    fail("exec \"%s\"", file);
  }
  int saved = ENOENT;
  const char *p = env_path();
  while (*p) {
    const char *colon = strchrnul(p, ':');
    char candidate[PATH_MAX];
    snprintf(candidate, sizeof candidate, "%.*s/%s", (int)(colon - p), p, file);
    execve(candidate, argv, envp);
    if (errno != ENOENT && errno != ENOTDIR) saved = errno;
    p = *colon ? colon + 1 : colon;
  }
  errno = saved;
  fail("exec \"%s\"", file);
}

static void reset_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* --init: this process stays PID 1 (re-executed as stamp-init from the sealed copy); its child
 * execs the command. */
static void exec_with_init(int init_memfd) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL); /* no signal is lost between fork and the init loop */
  int ready[2]; /* close-on-exec: EOF once PID 1 runs the sealed copy, not the host's binary */
  if (pipe2(ready, O_CLOEXEC) < 0) fail("create the --init sync pipe");
  pid_t child = fork();
  if (child < 0) fail("fork the command under --init");
  if (child == 0) {
    char c;
    close(ready[1]);
    while (read(ready[0], &c, 1) < 0 && errno == EINTR) {
    }
    close(ready[0]);
    reset_signals();
    exec_command();
  }
  close(ready[0]);
  char pid_arg[16];
  snprintf(pid_arg, sizeof pid_arg, "%d", child);
  char *argv[] = {"stamp-init", pid_arg, NULL}, *envp[] = {NULL};
  syscall(SYS_execveat, init_memfd, "", argv, envp, AT_EMPTY_PATH);
  kill(child, SIGKILL);
  fail("exec the init process");
}

int console_sock = -1;

/* hold=1: wait for the JVM's release ("1" on HOLD_FD) before anything runs as the container. */
static void await_release(void) {
  char c = 0;
  ssize_t n;
  while ((n = read(HOLD_FD, &c, 1)) < 0 && errno == EINTR) {
  }
  close(HOLD_FD);
  if (n != 1 || c != '1')
    fail_msg("wait for the network: the starter did not release the container (its attach failed"
             " or it is gone)");
}

int container_main(int go) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) fail("set parent death signal");
  join_cgroups();
  if (standby) await_go(go);
  int init_memfd = spec.init ? sealed_self_copy() : -1;
  if (spec.init && init_memfd < 0) fail("copy the init binary");
  umask(0);
  build_rootfs();
  if (spec.tty) setup_console(console_sock);
  if (spec.hold) await_release();
  drop_privileges();
  /* As the container's user (chdir's permission checks), fds 3+ still open: see create_workdir. */
  if (spec.workdir) enter_workdir();
  umask(022);
  /* Nothing above 2 reaches the command: the error pipe and the memfd are already close-on-exec. */
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) fail("mark fds close-on-exec");
  /* Last: from here on only what the profile allows (exec, signals, the error pipe's write). */
  if (spec.seccomp && install_seccomp(spec.seccomp, spec.seccomp_len) < 0)
    fail("install the seccomp filter");
  if (spec.init) exec_with_init(init_memfd);
  reset_signals();
  exec_command();
  return 127;
}

