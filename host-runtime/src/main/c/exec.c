/*
 * exec.c: the last step of `docker exec` (ContainerExec in Java). The JVM's /bin/sh joins the
 * container's cgroups, opens this binary as fd 9 (and the container's compiled seccomp filter
 * as fd 8) and execs nsenter into the container's namespaces and root, which execs
 * /proc/self/fd/9 as
 *   stamp-shim --exec CAPS_HEX UID GID GROUPS WORKDIR TTY SECCOMP -- CMD ARGS...
 * (GROUPS: comma-separated or "-"; WORKDIR: "-" for the container's; TTY: 1 for a pty; SECCOMP:
 * the filter's fd, or "-" for none). This role first re-executes itself from a sealed memfd copy
 * (so no process of the container can ever reach the host's binary through /proc/PID/exe,
 * CVE-2019-5736), then does what the container's first process did: the bounding set, groups,
 * gid, uid, Docker's capabilities, no_new_privs, the working directory, the seccomp filter (last),
 * and execs the command with PATH from the environment the JVM gave (the container's). Setup
 * failures exit 126 with one line on stderr; a command that is not found exits 127 (docker exec's
 * codes). With TTY 1 it opens a pty on the container's own devpts first and forks: the child makes
 * the slave its controlling terminal and fds 0-2, then goes on as above; the parent, with no
 * capabilities left and under the same seccomp filter, relays its stdin to the master and the
 * master to its stdout, passes on the caller's window size (at start and at each SIGWINCH), and
 * exits with the command's status.
 */
#include "stamp-shim.h"

#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

static void exec_fail(const char *what, const char *arg) __attribute__((noreturn));
static void exec_fail(const char *what, const char *arg) {
  fprintf(stderr, "stamp exec: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
  _exit(126);
}

/* The container's filter (read from the SECCOMP fd before anything else), NULL: unconfined. */
static void *filter;
static size_t filter_len;

static volatile sig_atomic_t resized = 1;
static void on_winch(int sig) {
  (void)sig;
  resized = 1;
}

static void copy_size(int master) {
  struct winsize ws;
  if (ioctl(0, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0)
    ioctl(master, TIOCSWINSZ, &ws);
}

static int write_fully(int fd, const char *buf, ssize_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    buf += w;
    n -= w;
  }
  return 0;
}

/* The parent's side of -t: relays until the pty closes, then exits with the child's status. */
static void relay_pty(int master, pid_t child) __attribute__((noreturn));
static void relay_pty(int master, pid_t child) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct none[2] = {{0, 0, 0}, {0, 0, 0}};
  syscall(SYS_capset, &header, none); /* it only copies bytes from here on */
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (filter && install_seccomp(filter, filter_len) < 0)
    exec_fail("tty: install the seccomp filter", NULL);
  struct sigaction sa = {0};
  sa.sa_handler = on_winch;
  sigaction(SIGWINCH, &sa, NULL);
  int in_open = 1;
  char buf[16384];
  for (;;) {
    if (resized) {
      resized = 0;
      copy_size(master);
    }
    struct pollfd fds[2] = {{master, POLLIN, 0}, {0, POLLIN, 0}};
    int n = poll(fds, in_open ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(master, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break; /* EIO: every slave fd is closed, the command is gone */
      if (write_fully(1, buf, r) < 0) break;
    }
    if (in_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = read(0, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0)
        in_open = 0; /* no more input; the command goes on (as docker exec -t) */
      else if (write_fully(master, buf, r) < 0)
        in_open = 0;
    }
  }
  int status;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) _exit(126);
  }
  _exit(status_code(status));
}

/* -t: a pty from the container's devpts; returns in the child, whose fds 0-2 are the slave. */
static void open_pty(uid_t uid) {
  int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) exec_fail("tty: open", "/dev/pts/ptmx");
  int unlock = 0, n;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
    exec_fail("tty: unlock the pty", NULL);
  char name[64];
  snprintf(name, sizeof name, "/dev/pts/%d", n);
  int slave = open(name, O_RDWR | O_NOCTTY);
  if (slave < 0) exec_fail("tty: open", name);
  if (fchown(slave, uid, -1) < 0) exec_fail("tty: chown", name);
  copy_size(master);
  pid_t child = fork();
  if (child < 0) exec_fail("tty: fork", NULL);
  if (child > 0) {
    close(slave);
    relay_pty(master, child);
  }
  close(master);
  if (setsid() < 0) exec_fail("tty: setsid", NULL);
  if (ioctl(slave, TIOCSCTTY, 0) < 0) exec_fail("tty: make it the controlling terminal", name);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0) exec_fail("tty: connect", name);
  if (slave > 2) close(slave);
}

int exec_main(int argc, char **argv) {
  /* [1]=--exec|--exec-sealed [2]=caps [3]=uid [4]=gid [5]=groups [6]=workdir [7]=tty
   * [8]=seccomp [9]=-- */
  if (argc < 11 || strcmp(argv[9], "--")) {
    fprintf(stderr,
            "usage: stamp-shim --exec CAPS UID GID GROUPS WORKDIR TTY SECCOMP -- CMD... (Stamp)\n");
    return 2;
  }
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* nobody in the container may open /proc/PID/exe here */
  if (!strcmp(argv[1], "--exec")) {
    int mfd = sealed_self_copy();
    if (mfd < 0) exec_fail("copy the exec binary", NULL);
    argv[1] = "--exec-sealed";
    extern char **environ;
    syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
    exec_fail("re-exec from the sealed copy", NULL);
  }
  if (strcmp(argv[8], "-")) {
    int fd = atoi(argv[8]);
    ssize_t n = read_fd_fully(fd, &filter);
    if (n < 0) exec_fail("read the seccomp filter", NULL);
    filter_len = (size_t)n;
    close(fd);
  }
  uint64_t caps = strtoull(argv[2], NULL, 16);
  uid_t uid = (uid_t)atoi(argv[3]);
  gid_t gid = (gid_t)atoi(argv[4]);
  gid_t groups[256];
  size_t n = 0;
  if (strcmp(argv[5], "-")) {
    for (char *p = argv[5]; *p && n < 256;) {
      groups[n++] = (gid_t)strtoul(p, &p, 10);
      if (*p == ',') p++;
    }
  }
  if (!strcmp(argv[7], "1")) open_pty(uid);
  for (int cap = 0; cap < 64; cap++) {
    if (!(caps & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      exec_fail("drop a capability from the bounding set", NULL);
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) exec_fail("keep capabilities", NULL);
  if (setgroups(n, groups) < 0) exec_fail("setgroups", NULL);
  if (setresgid(gid, gid, gid) < 0) exec_fail("setgid", argv[4]);
  if (setresuid(uid, uid, uid) < 0) exec_fail("setuid", argv[3]);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) exec_fail("reset keepcaps", NULL);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {
      {(uint32_t)caps, (uint32_t)caps, 0},
      {(uint32_t)(caps >> 32), (uint32_t)(caps >> 32), 0},
  };
  if (syscall(SYS_capset, &header, data) < 0) exec_fail("set capabilities", NULL);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) exec_fail("set no_new_privs", NULL);
  if (strcmp(argv[6], "-") && chdir(argv[6]) < 0) exec_fail("working directory", argv[6]);
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  if (filter && install_seccomp(filter, filter_len) < 0)
    exec_fail("install the seccomp filter", NULL);
  execvp(argv[10], argv + 10);
  int code = errno == ENOENT ? 127 : 126;
  fprintf(stderr, "stamp exec: %s: %s\n", argv[10], strerror(errno));
  _exit(code);
}
