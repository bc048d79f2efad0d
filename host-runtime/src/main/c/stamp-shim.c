/*
 * stamp-shim: Stamp's container monitor and first process (the C part of the launch path).
 *
 * The JVM spawns it as `stamp-shim SPECFILE` in a new session with these fds:
 *   0 /dev/null, 1 /dev/null, 2 the shim's own log, 3 the status pipe (write end),
 *   4/5 the foreground CLI's stdout/stderr when the spec says relay=1.
 * SPECFILE holds NUL-terminated records `key\0value\0`; "mount" takes three values
 * (source, target, options). ShimSpec in Java writes it; parse_spec reads it.
 *
 * What it does, in order:
 *   1. forks once, so the monitor (like conmon) is nobody's child once the JVM has reaped the
 *      first process; it records its own pid and the container's in the state file once the
 *      container runs (until then Java finds a starting shim by the container id in /proc);
 *   2. clones the container's first process into new pid, mount, uts, ipc (and net) namespaces;
 *      that child joins its cgroups before anything else, then builds the root filesystem
 *      (overlay, /proc, /dev, /sys, binds, masked paths), pivots into it, drops privileges and
 *      execs the command; any failure is one line "STEP: strerror (errno N)" on an error pipe
 *      that closes on exec;
 *   3. reports "started PID" on the status pipe, relays the container's stdout/stderr into the
 *      framed log (and to the CLI for a foreground run), waits for the exit, writes the exit file,
 *      reports "exited CODE"; when nobody reads the status pipe any more (detached --rm) it execs
 *      the cleanup command it was given.
 * With --standby, the spec names only the cgroups and the network mode: the shim does step 2 up
 * to the cgroup join and then waits, fd 4 being a pipe from the JVM, for the path of the full
 * spec; EOF there discards it. Long-lived runtimes keep such standbys ready, so the cgroup v1
 * migration (one RCU grace period, milliseconds) and the namespace creation are off the start path.
 * Run as `stamp-init PID` (argv[0]), it is --init's PID 1: reaps zombies, forwards signals to PID
 * and exits with its status. That mode is re-executed from a sealed memfd copy, so the container
 * cannot reach, let alone overwrite, the host's shim binary through /proc/1/exe.
 *
 * Log format (LogReader in Java decodes it): records of a 16-byte header and a payload;
 * header = stream (1 stdout, 2 stderr), 3 zero bytes, payload length (uint32 big endian),
 * wall-clock time in nanoseconds since the epoch (int64 big endian).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>

#define STATUS_FD 3
#define RELAY_OUT_FD 4
#define RELAY_ERR_FD 5
#define CONTROL_FD 4 /* standby mode only: the JVM writes the full spec's path here */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---------- the spec ---------- */

struct list {
  const char **items;
  size_t len;
};

struct mount_req {
  const char *source, *target, *options;
};

struct spec {
  const char *id, *rootfs, *overlay, *hostname, *netns, *workdir;
  const char *state_file, *exit_file, *log_file;
  int new_net, read_only, init, relay, uid, gid, has_user;
  const char *attach;          /* interactive: the attach socket's path */
  int tty, open_stdin, attach_first; /* -t, -i, wait for the starter's attach before cloning */
  uint64_t caps;
  struct list cgroups, args, env, groups, masked, readonly, cleanup;
  struct mount_req *mounts;
  size_t n_mounts;
};

static struct spec spec;
static int standby; /* started ahead of need: namespaces and cgroups now, the rest on "go" */

static void die_errno(const char *what) {
  fprintf(stderr, "stamp-shim: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void list_add(struct list *l, const char *v) {
  l->items = realloc(l->items, (l->len + 2) * sizeof(char *));
  if (!l->items) die_errno("realloc");
  l->items[l->len++] = v;
  l->items[l->len] = NULL;
}

static char *read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die_errno(path);
  struct stat st;
  if (fstat(fd, &st) < 0) die_errno(path);
  char *buf = malloc(st.st_size + 1);
  if (!buf) die_errno("malloc");
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, st.st_size - got);
    if (n <= 0) die_errno(path);
    got += n;
  }
  buf[got] = 0;
  close(fd);
  *len = got;
  return buf;
}

static void parse_spec(const char *path, int full) {
  size_t len;
  char *buf = read_file(path, &len);
  char *p = buf, *end = buf + len;
  while (p < end) {
    const char *key = p;
    p += strlen(p) + 1;
    if (p >= end) break;
    const char *val = p;
    p += strlen(p) + 1;
    if (!strcmp(key, "id")) spec.id = val;
    else if (!strcmp(key, "rootfs")) spec.rootfs = val;
    else if (!strcmp(key, "overlay")) spec.overlay = val;
    else if (!strcmp(key, "hostname")) spec.hostname = val;
    else if (!strcmp(key, "netns")) spec.netns = val;
    else if (!strcmp(key, "new_net")) spec.new_net = atoi(val);
    else if (!strcmp(key, "workdir")) spec.workdir = val;
    else if (!strcmp(key, "state")) spec.state_file = val;
    else if (!strcmp(key, "exit")) spec.exit_file = val;
    else if (!strcmp(key, "log")) spec.log_file = val;
    else if (!strcmp(key, "read_only")) spec.read_only = atoi(val);
    else if (!strcmp(key, "init")) spec.init = atoi(val);
    else if (!strcmp(key, "relay")) spec.relay = atoi(val);
    else if (!strcmp(key, "attach")) spec.attach = val;
    else if (!strcmp(key, "tty")) spec.tty = atoi(val);
    else if (!strcmp(key, "stdin")) spec.open_stdin = atoi(val);
    else if (!strcmp(key, "attach_first")) spec.attach_first = atoi(val);
    else if (!strcmp(key, "uid")) spec.uid = atoi(val), spec.has_user = 1;
    else if (!strcmp(key, "gid")) spec.gid = atoi(val);
    else if (!strcmp(key, "caps")) spec.caps = strtoull(val, NULL, 16);
    else if (!strcmp(key, "cgroup")) list_add(&spec.cgroups, val);
    else if (!strcmp(key, "arg")) list_add(&spec.args, val);
    else if (!strcmp(key, "env")) list_add(&spec.env, val);
    else if (!strcmp(key, "group")) list_add(&spec.groups, val);
    else if (!strcmp(key, "masked")) list_add(&spec.masked, val);
    else if (!strcmp(key, "readonly")) list_add(&spec.readonly, val);
    else if (!strcmp(key, "cleanup")) list_add(&spec.cleanup, val);
    else if (!strcmp(key, "mount")) {
      const char *target = p;
      p += strlen(p) + 1;
      const char *options = p < end ? p : "";
      p += strlen(options) + 1;
      spec.mounts = realloc(spec.mounts, (spec.n_mounts + 1) * sizeof(struct mount_req));
      if (!spec.mounts) die_errno("realloc");
      spec.mounts[spec.n_mounts++] = (struct mount_req){val, target, options};
    } else {
      fprintf(stderr, "stamp-shim: unknown spec key %s\n", key);
      exit(1);
    }
  }
  if (full && (!spec.rootfs || !spec.overlay || !spec.args.len || !spec.exit_file || !spec.log_file ||
      !spec.state_file)) {
    fprintf(stderr, "stamp-shim: spec %s lacks rootfs, overlay, arg, exit, log or state\n", path);
    exit(1);
  }
  if (full && !spec.env.items) list_add(&spec.env, "PATH=" DEFAULT_PATH);
}

/* ---------- small helpers ---------- */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    p += n;
    len -= n;
  }
  return 0;
}

/* Writes CONTENT to PATH atomically (temp file + rename): readers see all of it or nothing. */
static int write_atomic(const char *path, const char *content) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  int rc = write_all(fd, content, strlen(content));
  close(fd);
  return rc < 0 ? -1 : rename(tmp, path);
}

/* Field 22 of /proc/PID/stat: the start time that, with the pid, names a process uniquely. */
static unsigned long long start_time(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
  return p ? strtoull(p + 1, NULL, 10) : 0;
}

static void status_line(const char *fmt, ...) {
  char line[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof line) n = sizeof line - 1;
  write_all(STATUS_FD, line, n);
}

/* ---------- the container's first process (runs in the new namespaces) ---------- */

static int error_fd = -1; /* the error pipe's write end; close-on-exec */

/* Reports "STEP: strerror (errno N)" to the monitor and exits; STEP names what failed. */
static void fail(const char *fmt, ...) {
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

/* Standby: wait for the monitor to pass on the full spec's path, then read the spec. */
static void await_go(int go) {
  char path[PATH_MAX];
  ssize_t n, got = 0;
  while ((n = read(go, path + got, sizeof path - 1 - got)) > 0 || (n < 0 && errno == EINTR))
    got += n > 0 ? n : 0;
  close(go);
  if (got == 0) _exit(0); /* the standby was discarded */
  path[got] = 0;
  parse_spec(path, 1);
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

static int sealed_self_copy(void);
static void setup_console(int console_sock);
static int console_sock = -1; /* -t: where the first process sends the pty master */

static int container_main(int go) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) fail("set parent death signal");
  join_cgroups();
  if (standby) await_go(go);
  int init_memfd = spec.init ? sealed_self_copy() : -1;
  if (spec.init && init_memfd < 0) fail("copy the init binary");
  umask(0);
  build_rootfs();
  if (spec.tty) setup_console(console_sock);
  drop_privileges();
  /* As the container's user (chdir's permission checks), fds 3+ still open: see create_workdir. */
  if (spec.workdir) enter_workdir();
  umask(022);
  /* Nothing above 2 reaches the command: the error pipe and the memfd are already close-on-exec. */
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) fail("mark fds close-on-exec");
  if (spec.init) exec_with_init(init_memfd);
  reset_signals();
  exec_command();
  return 127;
}

/* ---------- --init as PID 1 ---------- */

static int status_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int init_main(pid_t child) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == child) return status_code(status);
    }
  }
}

/* ---------- the monitor ---------- */

/* A sealed in-memory copy of this binary, for --init's PID 1 (see the header comment). */
static int sealed_self_copy(void) {
  int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int mfd = memfd_create("stamp-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  struct stat st;
  if (self < 0 || mfd < 0 || fstat(self, &st) < 0) return -1;
  off_t off = 0;
  while (off < st.st_size)
    if (sendfile(mfd, self, &off, st.st_size - off) <= 0) return -1;
  close(self);
  int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  return fcntl(mfd, F_ADD_SEALS, seals) < 0 ? -1 : mfd;
}

static void log_record(int log_fd, int stream, const char *data, size_t len) {
  unsigned char header[16] = {(unsigned char)stream};
  uint64_t ts = (uint64_t)now_ns();
  for (int i = 0; i < 4; i++) header[4 + i] = (unsigned char)(len >> (24 - 8 * i));
  for (int i = 0; i < 8; i++) header[8 + i] = (unsigned char)(ts >> (56 - 8 * i));
  struct iovec iov[2] = {{header, sizeof header}, {(void *)data, len}};
  ssize_t n = writev(log_fd, iov, 2);
  if (n >= 0 && (size_t)n < sizeof header + len) { /* short write: finish the record */
    size_t done = n;
    if (done < sizeof header) write_all(log_fd, header + done, sizeof header - done), done = sizeof header;
    write_all(log_fd, data + (done - sizeof header), len - (done - sizeof header));
  }
}

/* Relays both pipes until EOF (the pid namespace dies with its PID 1, closing every writer) and
 * returns the container's wait status. */
static int relay_until_exit(pid_t child, int out, int err, int sigfd, int log_fd) {
  int relay[3] = {-1, spec.relay ? RELAY_OUT_FD : -1, spec.relay ? RELAY_ERR_FD : -1};
  struct pollfd fds[3] = {{out, POLLIN, 0}, {err, POLLIN, 0}, {sigfd, POLLIN, 0}};
  int status = 0, exited = 0;
  char buf[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0 || !exited) {
    if (poll(fds, 3, exited ? 5000 : -1) == 0) break; /* a writer outlived PID 1: stop waiting */
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !fds[i].revents) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        continue;
      }
      log_record(log_fd, i + 1, buf, n);
      if (relay[i + 1] >= 0 && write_all(relay[i + 1], buf, n) < 0) relay[i + 1] = -1;
    }
    if (fds[2].revents) {
      struct signalfd_siginfo si;
      if (read(sigfd, &si, sizeof si) < 0 && errno != EAGAIN) die_errno("read signalfd");
      int st;
      pid_t pid;
      while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        if (pid == child) status = st, exited = 1;
      if (exited) fds[2].fd = -1;
    }
  }
  if (!exited) waitpid(child, &status, 0);
  return status;
}

static void write_exit_file(int code, const char *error) {
  char content[4096];
  snprintf(content, sizeof content, "exitCode=%d\nfinishedAt=%lld\n%s%s%s", code,
           (long long)now_ns(), error ? "error=" : "", error ? error : "", error ? "\n" : "");
  if (write_atomic(spec.exit_file, content) < 0) die_errno("write exit file");
}

/* Detached --rm: nobody reads the status pipe any more, so the shim runs the cleanup itself. */
static void run_cleanup(void) {
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  close_range(3, ~0U, 0);
  char *envp[] = {"PATH=" DEFAULT_PATH, NULL};
  execve(spec.cleanup.items[0], (char **)spec.cleanup.items, envp);
  die_errno("exec cleanup");
}

/* ---------- interactive containers (-i, -t): the pty, the stdin pipe, the attach socket ----------
 *
 * With -t the container's first process allocates a pseudo-terminal in its own devpts (after the
 * pivot), makes the slave its controlling terminal, stdin/out/err and /dev/console, and passes the
 * master to the monitor over a socketpair (SCM_RIGHTS), as runc's console socket does. With -i
 * alone its stdin is a pipe whose write end the monitor holds. The monitor serves attach clients
 * on a unix socket (spec "attach", in the container's directory). Frames, both ways, are
 * TYPE (1 byte), LENGTH (uint32 big endian), PAYLOAD:
 *   client to monitor: 'i' input bytes; 'w' window size (rows, cols: uint16 big endian each);
 *                      'e' end of input (closes the stdin pipe; ignored with a tty);
 *   monitor to client: 1 stdout, 2 stderr (a tty's output is all 1), 'x' exit code (int32 BE).
 * Output goes to every client and to the log. What the container printed before anyone attached
 * (a detached -it container's first prompt) is kept, up to 64 KiB, for the first client. With
 * attach_first (a foreground run) the monitor reports "listening" and waits for its starter to
 * attach before it creates the container, as docker run attaches before it starts.
 */

#define MAX_CLIENTS 16
#define FRAME_MAX 65536
#define BACKLOG_MAX 65536
#define PENDING_MAX (1 << 20)
#define CLIENT_QUEUE_MAX (4 << 20)

/* A client: its socket (non-blocking), what it sent that is not a whole frame yet, and output
 * queued for it; a client more than 4 MiB behind is dropped (the output stays in the log). */
struct attach_client {
  int fd;
  size_t len;
  unsigned char buf[5 + FRAME_MAX];
  unsigned char *out;
  size_t out_len, out_cap;
};

static struct attach_client *clients[MAX_CLIENTS];
static int listen_fd = -1, pty_master = -1, stdin_w = -1, ever_attached;
static unsigned char *backlog;
static size_t backlog_len;
static struct winsize initial_size;
/* Input the container has not taken yet: written as it drains (fds are non-blocking), so a
 * container that reads no input never stalls the relay of its output. */
static unsigned char *pending_in;
static size_t pending_len;
static int close_stdin_when_drained;

static int interactive(void) { return spec.tty || spec.open_stdin; }

/* Child side, inside the new root (/dev/pts is the container's own devpts), still privileged. */
static void setup_console(int console_sock) {
  int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail("tty: open /dev/pts/ptmx");
  int unlock = 0, n;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
    fail("tty: unlock the pty");
  char name[64];
  snprintf(name, sizeof name, "/dev/pts/%d", n);
  int slave = open(name, O_RDWR | O_NOCTTY);
  if (slave < 0) fail("tty: open %s", name);
  if (spec.has_user && fchown(slave, spec.uid, -1) < 0) fail("tty: chown %s", name);
  if ((initial_size.ws_row || initial_size.ws_col) && ioctl(slave, TIOCSWINSZ, &initial_size) < 0)
    fail("tty: set the window size");
  int console = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (console < 0) fail("tty: create /dev/console");
  close(console);
  if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
    fail("tty: bind %s on /dev/console", name);
  if (setsid() < 0) fail("tty: setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0) fail("tty: make %s the controlling terminal", name);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0) fail("tty: connect fd %d", fd);
  if (slave > 2) close(slave);
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  char byte = 'm';
  struct iovec iov = {&byte, 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof control};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &master, sizeof(int));
  if (sendmsg(console_sock, &msg, 0) < 0) fail("tty: pass the pty master to the monitor");
  close(master);
  close(console_sock);
}

/* Monitor side: the master the container's first process sent. */
static int receive_master(int sock) {
  char byte, control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {&byte, 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof control};
  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0) return -1;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (!cm || cm->cmsg_type != SCM_RIGHTS) return errno = EPROTO, -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

/* Binds DIR/NAME as /proc/self/fd/N/NAME: a socket path must fit in 108 bytes, a state dir need not. */
static int attach_listen(void) {
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", spec.attach);
  char *slash = strrchr(dir, '/');
  if (!slash) return errno = EINVAL, -1;
  *slash = 0;
  int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dfd, slash + 1);
  unlink(addr.sun_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int ok = fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(fd, 8) == 0;
  int saved = errno;
  close(dfd);
  if (!ok) return errno = saved, -1;
  return fd;
}

static void drop_client(int i) {
  close(clients[i]->fd);
  free(clients[i]->out);
  free(clients[i]);
  clients[i] = NULL;
}

/* Writes what client I's socket takes now; drops the client when it is gone. */
static void flush_client(int i) {
  struct attach_client *c = clients[i];
  while (c->out_len > 0) {
    ssize_t n = write(c->fd, c->out, c->out_len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0) {
      drop_client(i);
      return;
    }
    memmove(c->out, c->out + n, c->out_len - n);
    c->out_len -= n;
  }
}

static void queue_bytes(int i, const void *data, size_t len) {
  struct attach_client *c = clients[i];
  if (c->out_len + len > CLIENT_QUEUE_MAX) {
    drop_client(i);
    return;
  }
  if (c->out_len + len > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 65536;
    while (cap < c->out_len + len) cap *= 2;
    unsigned char *grown = realloc(c->out, cap);
    if (!grown) {
      drop_client(i);
      return;
    }
    c->out = grown;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
}

static void send_frame(int i, int type, const void *data, size_t len) {
  unsigned char h[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                        (unsigned char)(len >> 8), (unsigned char)len};
  queue_bytes(i, h, 5);
  if (clients[i]) queue_bytes(i, data, len);
  if (clients[i]) flush_client(i);
}

/* Output to every client, and to the backlog until the first client attaches. */
static void broadcast(int type, const void *data, size_t len) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i]) send_frame(i, type, data, len);
  if (!ever_attached && backlog_len + 5 + len <= BACKLOG_MAX) {
    if (!backlog) backlog = malloc(BACKLOG_MAX);
    if (!backlog) return;
    unsigned char h[5] = {(unsigned char)type, (unsigned char)(len >> 24),
                          (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
    memcpy(backlog + backlog_len, h, 5);
    memcpy(backlog + backlog_len + 5, data, len);
    backlog_len += 5 + len;
  }
}

static void accept_client(void) {
  int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return;
  int i = 0;
  while (i < MAX_CLIENTS && clients[i]) i++;
  if (i == MAX_CLIENTS) {
    close(fd);
    return;
  }
  fcntl(fd, F_SETFL, O_NONBLOCK);
  clients[i] = calloc(1, sizeof *clients[i]);
  if (!clients[i]) {
    close(fd);
    return;
  }
  clients[i]->fd = fd;
  if (!ever_attached) {
    ever_attached = 1;
    if (backlog_len) queue_bytes(i, backlog, backlog_len);
    if (clients[i]) flush_client(i);
    free(backlog);
    backlog = NULL;
    backlog_len = 0;
  }
}

static void close_stdin(void) {
  if (stdin_w >= 0) close(stdin_w);
  stdin_w = -1;
}

static int input_fd(void) { return spec.tty ? pty_master : stdin_w; }

/* Writes what the container will take now; input it can never take any more is dropped. */
static void flush_input(void) {
  int fd = input_fd();
  while (pending_len > 0 && fd >= 0) {
    ssize_t n = write(fd, pending_in, pending_len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0) { /* EPIPE: stdin closed; EIO: no slave open */
      pending_len = 0;
      if (fd == stdin_w) close_stdin();
      break;
    }
    memmove(pending_in, pending_in + n, pending_len - n);
    pending_len -= n;
  }
  if (pending_len == 0 && close_stdin_when_drained) close_stdin();
}

static void queue_input(const unsigned char *p, size_t len) {
  if (!pending_in && !(pending_in = malloc(PENDING_MAX))) return;
  if (len > PENDING_MAX - pending_len) len = PENDING_MAX - pending_len; /* beyond 1 MiB: dropped */
  memcpy(pending_in + pending_len, p, len);
  pending_len += len;
  flush_input();
}

static void handle_frame(int type, const unsigned char *p, size_t len) {
  if (type == 'i') {
    if (spec.tty || stdin_w >= 0) queue_input(p, len);
  } else if (type == 'w' && len == 4) {
    struct winsize ws = {.ws_row = (unsigned short)(p[0] << 8 | p[1]),
                         .ws_col = (unsigned short)(p[2] << 8 | p[3])};
    if (pty_master >= 0) ioctl(pty_master, TIOCSWINSZ, &ws);
    else initial_size = ws;
  } else if (type == 'e' && !spec.tty) {
    close_stdin_when_drained = 1;
    flush_input();
  }
}

/* Reads and handles what client I sent; drops it when it is gone or breaks the protocol. */
static void read_client(int i) {
  struct attach_client *c = clients[i];
  ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    drop_client(i);
    return;
  }
  c->len += n;
  size_t off = 0;
  while (c->len - off >= 5) {
    size_t len = (size_t)c->buf[off + 1] << 24 | (size_t)c->buf[off + 2] << 16 |
                 (size_t)c->buf[off + 3] << 8 | c->buf[off + 4];
    if (len > FRAME_MAX) {
      drop_client(i);
      return;
    }
    if (c->len - off < 5 + len) break;
    handle_frame(c->buf[off], c->buf + off + 5, len);
    off += 5 + len;
  }
  memmove(c->buf, c->buf + off, c->len - off);
  c->len -= off;
}

/* attach_first: the starter connects, and its first frame (the window size) is applied before the
 * container's command starts. Without a client within 30 s the container starts anyway. */
static void await_first_client(void) {
  status_line("listening\n");
  struct pollfd p = {listen_fd, POLLIN, 0};
  if (poll(&p, 1, 30000) <= 0) return;
  accept_client();
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (!clients[i]) continue;
    struct pollfd q = {clients[i]->fd, POLLIN, 0};
    if (poll(&q, 1, 1000) > 0) read_client(i);
    break;
  }
}

/* The interactive twin of relay_until_exit: OUT is the pty master (ERR then -1) or the stdout
 * pipe; clients come and go; returns the container's wait status. */
static int serve_until_exit(pid_t child, int out, int err, int sigfd, int log_fd) {
  int streams[2] = {out, err}, status = 0, exited = 0;
  static char buf[FRAME_MAX];
  while (streams[0] >= 0 || streams[1] >= 0 || !exited) {
    struct pollfd fds[5 + MAX_CLIENTS];
    int slot[5 + MAX_CLIENTS];
    fds[0] = (struct pollfd){streams[0], POLLIN, 0};
    fds[1] = (struct pollfd){streams[1], POLLIN, 0};
    fds[2] = (struct pollfd){exited ? -1 : sigfd, POLLIN, 0};
    fds[3] = (struct pollfd){listen_fd, POLLIN, 0};
    fds[4] = (struct pollfd){pending_len ? input_fd() : -1, POLLOUT, 0};
    int nfds = 5;
    for (int i = 0; i < MAX_CLIENTS; i++) {
      if (!clients[i]) continue;
      short events = POLLIN | (clients[i]->out_len ? POLLOUT : 0);
      slot[nfds] = i, fds[nfds++] = (struct pollfd){clients[i]->fd, events, 0};
    }
    int r = poll(fds, nfds, exited ? 5000 : -1);
    if (r == 0) break; /* a writer outlived PID 1: stop waiting */
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die_errno("poll");
    for (int s = 0; s < 2; s++) {
      if (streams[s] < 0 || !fds[s].revents) continue;
      ssize_t n = read(streams[s], buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) { /* EOF, or EIO once a pty has no slave open any more */
        if (streams[s] != pty_master) close(streams[s]);
        streams[s] = -1;
        continue;
      }
      log_record(log_fd, s + 1, buf, n);
      broadcast(s + 1, buf, n);
    }
    if (fds[2].revents) {
      struct signalfd_siginfo si;
      if (read(sigfd, &si, sizeof si) < 0 && errno != EAGAIN) die_errno("read signalfd");
      int st;
      pid_t pid;
      while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        if (pid == child) status = st, exited = 1;
    }
    if (fds[3].revents) accept_client();
    if (fds[4].revents) flush_input();
    for (int f = 5; f < nfds; f++) {
      if ((fds[f].revents & POLLOUT) && clients[slot[f]]) flush_client(slot[f]);
      if ((fds[f].revents & ~POLLOUT) && clients[slot[f]]) read_client(slot[f]);
    }
  }
  if (!exited) waitpid(child, &status, 0);
  return status;
}

/* After the exit file: every client learns the exit code; the socket goes. */
static void attach_finish(int code) {
  unsigned char c[4] = {(unsigned char)(code >> 24), (unsigned char)(code >> 16),
                        (unsigned char)(code >> 8), (unsigned char)code};
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (!clients[i]) continue;
    send_frame(i, 'x', c, 4);
    if (!clients[i]) continue;
    /* what is still queued, then the exit code: blocking now, at most 5 s a client */
    struct timeval timeout = {5, 0};
    fcntl(clients[i]->fd, F_SETFL, 0);
    setsockopt(clients[i]->fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (clients[i]->out_len) write_all(clients[i]->fd, clients[i]->out, clients[i]->out_len);
    drop_client(i);
  }
  if (listen_fd >= 0) close(listen_fd);
  unlink(spec.attach);
  close_stdin();
  if (pty_master >= 0) close(pty_master);
}

static int monitor_main(void) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) die_errno("set child subreaper");
  signal(SIGPIPE, SIG_IGN);
  char state[256];
  snprintf(state, sizeof state, "shimPid=%d\nshimStart=%llu\n", getpid(), start_time(getpid()));

  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  int out[2], err[2], errp[2], go[2];
  if (sigfd < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
      pipe2(errp, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
    die_errno("prepare the container's pipes");
  int console[2] = {-1, -1}, in[2] = {-1, -1};
  if ((spec.tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0) ||
      (spec.open_stdin && !spec.tty && pipe2(in, O_CLOEXEC) < 0))
    die_errno("prepare the container's terminal or stdin");
  stdin_w = in[1];
  if (stdin_w >= 0) fcntl(stdin_w, F_SETFL, O_NONBLOCK);
  if (spec.attach && (listen_fd = attach_listen()) < 0) {
    status_line("error listen on %s: %s (errno %d)\n", spec.attach, strerror(errno), errno);
    return 1;
  }
  if (spec.attach && spec.attach_first) await_first_client();

  int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
  if (spec.new_net) flags |= CLONE_NEWNET;
  pid_t child = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
  if (child < 0) {
    status_line("error clone the container process: %s (errno %d)\n", strerror(errno), errno);
    return 1;
  }
  if (child == 0) {
    error_fd = errp[1];
    close(STATUS_FD);
    close(RELAY_OUT_FD);
    close(RELAY_ERR_FD);
    close(go[1]);
    if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0) fail("connect stdout and stderr");
    if (in[0] >= 0 && dup2(in[0], 0) < 0) fail("connect stdin");
    console_sock = console[1];
    return container_main(go[0]);
  }
  close(out[1]);
  close(err[1]);
  close(errp[1]);
  close(go[0]);
  if (console[1] >= 0) close(console[1]);
  if (in[0] >= 0) close(in[0]);
  /* Holding the container's mount namespace makes its teardown (unmounting the overlay and the
   * rest) happen when this process exits, after it has reported the exit, not on the exit path. */
  char ns_path[64];
  snprintf(ns_path, sizeof ns_path, "/proc/%d/ns/mnt", child);
  int mnt_ns = open(ns_path, O_RDONLY | O_CLOEXEC);
  if (standby) {
    /* Wait for a container to be assigned (a line with the full spec's path); EOF: discarded. */
    char path[PATH_MAX];
    ssize_t r = 0, len = 0;
    struct pollfd wait_for[2] = {{CONTROL_FD, POLLIN, 0}, {sigfd, POLLIN, 0}};
    while (len == 0 || path[len - 1] != '\n') {
      if (poll(wait_for, 2, -1) < 0 && errno != EINTR) break;
      if (wait_for[1].revents && waitpid(child, NULL, WNOHANG) == child) break; /* killed */
      if (!wait_for[0].revents) continue;
      r = read(CONTROL_FD, path + len, sizeof path - 1 - len);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      len += r;
    }
    if (len == 0 || path[len - 1] != '\n') {
      kill(child, SIGKILL);
      waitpid(child, NULL, 0);
      return 0;
    }
    path[len - 1] = 0;
    parse_spec(path, 1);
    if (write_all(go[1], path, strlen(path)) < 0) die_errno("pass the spec on");
  }
  close(go[1]);

  char error[2400];
  ssize_t n, got = 0;
  while ((n = read(errp[0], error + got, sizeof error - 1 - got)) > 0 || (n < 0 && errno == EINTR))
    got += n > 0 ? n : 0;
  error[got] = 0;
  close(errp[0]);
  if (got > 0) {
    int status;
    waitpid(child, &status, 0);
    write_exit_file(status_code(status), error);
    status_line("error %s\n", error);
    return 1;
  }
  if (spec.tty && (pty_master = receive_master(console[0])) < 0) {
    snprintf(error, sizeof error, "tty: receive the pty master: %s (errno %d)", strerror(errno), errno);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    write_exit_file(126, error);
    status_line("error %s\n", error);
    return 1;
  }
  if (console[0] >= 0) close(console[0]);
  if (pty_master >= 0) fcntl(pty_master, F_SETFL, O_NONBLOCK);
  flush_input(); /* what was typed before the master existed */
  snprintf(state + strlen(state), sizeof state - strlen(state), "pid=%d\npidStart=%llu\nstartedAt=%lld\n",
           child, start_time(child), (long long)now_ns());
  if (write_atomic(spec.state_file, state) < 0) die_errno("write state file");
  status_line("started %d\n", child);
  int log_fd = open(spec.log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) die_errno("open log");

  int status;
  if (spec.tty) {
    close(out[0]);
    close(err[0]);
    status = serve_until_exit(child, pty_master, -1, sigfd, log_fd);
  } else if (interactive()) {
    status = serve_until_exit(child, out[0], err[0], sigfd, log_fd);
  } else {
    status = relay_until_exit(child, out[0], err[0], sigfd, log_fd);
  }
  int code = status_code(status);
  write_exit_file(code, NULL);
  if (spec.attach) attach_finish(code);
  char line[32];
  int len = snprintf(line, sizeof line, "exited %d\n", code);
  if (write_all(STATUS_FD, line, len) < 0 && spec.cleanup.len) run_cleanup();
  if (mnt_ns >= 0) close(mnt_ns);
  return 0;
}

int main(int argc, char **argv) {
  const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  if (!strcmp(name, "stamp-init") && argc == 2) return init_main(atoi(argv[1]));
  standby = argc == 3 && !strcmp(argv[1], "--standby");
  if (argc != 2 && !standby) {
    fprintf(stderr, "usage: stamp-shim [--standby] SPECFILE (started by Stamp, not by hand)\n");
    return 2;
  }
  parse_spec(argv[argc - 1], !standby);
  /* Fork once: the JVM reaps the parent at once and the monitor is reparented to init. */
  pid_t pid = fork();
  if (pid < 0) die_errno("fork the monitor");
  if (pid > 0) return 0;
  return monitor_main();
}
