/* The spec file: NUL-terminated key\0value\0 records, written by ShimSpec in Java. */
#include "stamp-shim.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct spec spec;
int standby;

void die_errno(const char *what) {
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

ssize_t read_fd_fully(int fd, void **out) {
  size_t cap = 65536, got = 0;
  char *buf = malloc(cap);
  if (!buf) return -1;
  for (;;) {
    ssize_t n = read(fd, buf + got, cap - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return free(buf), -1;
    if (n == 0) break;
    got += n;
    if (got == cap) return free(buf), errno = EFBIG, -1;
  }
  *out = buf;
  return (ssize_t)got;
}

/* The filter Java compiled (SeccompCompiler): handed to the kernel as it is. */
int install_seccomp(const void *filter, size_t len) {
  if (len == 0 || len % sizeof(struct sock_filter) || len / sizeof(struct sock_filter) > 4096)
    return errno = EINVAL, -1;
  struct sock_fprog prog = {(unsigned short)(len / sizeof(struct sock_filter)),
                            (struct sock_filter *)filter};
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -1 : 0;
}

/* The seccomp key: the compiled filter's path, read now (before the pivot hides it). */
static void read_seccomp(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  void *buf;
  ssize_t n = fd < 0 ? -1 : read_fd_fully(fd, &buf);
  if (n < 0) die_errno(path);
  close(fd);
  spec.seccomp = buf;
  spec.seccomp_len = (size_t)n;
}

void parse_spec(const char *path, int full) {
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
    else if (!strcmp(key, "hold")) spec.hold = atoi(val);
    else if (!strcmp(key, "attach")) spec.attach = val;
    else if (!strcmp(key, "tty")) spec.tty = atoi(val);
    else if (!strcmp(key, "stdin")) spec.open_stdin = atoi(val);
    else if (!strcmp(key, "attach_first")) spec.attach_first = atoi(val);
    else if (!strcmp(key, "uid")) spec.uid = atoi(val), spec.has_user = 1;
    else if (!strcmp(key, "gid")) spec.gid = atoi(val);
    else if (!strcmp(key, "caps")) spec.caps = strtoull(val, NULL, 16);
    else if (!strcmp(key, "seccomp")) read_seccomp(val);
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

