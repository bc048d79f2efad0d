/*
 * The monitor (like conmon): main, the fork that makes it nobody's child, the clone of the
 * container's first process, the status pipe, the relay of the output into the log, the exit file.
 *
 * Log format (LogReader in Java decodes it): records of a 16-byte header and a payload;
 * header = stream (1 stdout, 2 stderr), 3 zero bytes, payload length (uint32 big endian),
 * wall-clock time in nanoseconds since the epoch (int64 big endian).
 */
#include "stamp-shim.h"

#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int write_all(int fd, const void *buf, size_t len) {
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

void status_line(const char *fmt, ...) {
  char line[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof line) n = sizeof line - 1;
  write_all(STATUS_FD, line, n);
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

/*
 * The one relay loop, plain or interactive: the container's stdout and stderr pipes (or its pty
 * master, ERR then -1) into the log and to HOOKS->output, until both are at EOF (the pid
 * namespace dies with its PID 1, closing every writer) and the container has exited. HOOKS add
 * what else the monitor serves meanwhile (for -i/-t, attach.c: the attach socket, its clients,
 * the container's input). Returns the container's wait status.
 */
static int relay_until_exit(pid_t child, int out, int err, int sigfd, int log_fd,
                            const struct relay_hooks *hooks) {
  int streams[2] = {out, err}, status = 0, exited = 0;
  static char buf[RELAY_CHUNK];
  while (streams[0] >= 0 || streams[1] >= 0 || !exited) {
    struct pollfd fds[3 + RELAY_HOOK_FDS];
    fds[0] = (struct pollfd){streams[0], POLLIN, 0};
    fds[1] = (struct pollfd){streams[1], POLLIN, 0};
    fds[2] = (struct pollfd){exited ? -1 : sigfd, POLLIN, 0};
    int nfds = 3 + (hooks->add_fds ? hooks->add_fds(fds + 3) : 0);
    int r = poll(fds, nfds, exited ? 5000 : -1);
    if (r == 0) break; /* a writer outlived PID 1: stop waiting */
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die_errno("poll");
    for (int s = 0; s < 2; s++) {
      if (streams[s] < 0 || !fds[s].revents) continue;
      ssize_t n = read(streams[s], buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) { /* EOF, or EIO once a pty has no slave open any more */
        if (streams[s] != pty_master) close(streams[s]); /* the master: attach_finish closes it */
        streams[s] = -1;
        continue;
      }
      log_record(log_fd, s + 1, buf, n);
      hooks->output(s + 1, buf, n);
    }
    if (fds[2].revents) {
      struct signalfd_siginfo si;
      if (read(sigfd, &si, sizeof si) < 0 && errno != EAGAIN) die_errno("read signalfd");
      int st;
      pid_t pid;
      while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        if (pid == child) status = st, exited = 1;
    }
    if (hooks->handle) hooks->handle(fds + 3, nfds - 3);
  }
  if (!exited) waitpid(child, &status, 0);
  return status;
}

/* A plain run: the output also goes to the foreground CLI's stdout and stderr (spec relay=1),
 * until a write there fails. */
static int cli_fds[3] = {-1, -1, -1};

static void relay_to_cli(int stream, const void *data, size_t len) {
  if (cli_fds[stream] >= 0 && write_all(cli_fds[stream], data, len) < 0) cli_fds[stream] = -1;
}

static const struct relay_hooks plain_hooks = {relay_to_cli, NULL, NULL};

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

static int monitor_main(void) {
  int netns_fd = -1; /* a standby's network namespace, held for its child */
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
  if (spec.hold) close(HOLD_FD); /* the child's alone: the JVM's EOF reaches it */
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
    if (spec.netns) {
      /* The standby's mount namespace predates the namespace file's bind mount: hand it the
       * namespace through this process's descriptor, open until the child has exec'd or failed. */
      netns_fd = open(spec.netns, O_RDONLY | O_CLOEXEC);
      if (netns_fd < 0) die_errno("open network namespace");
      char held[64];
      int len_held = snprintf(held, sizeof held, "\n/proc/%d/fd/%d", (int)getpid(), netns_fd);
      if (write_all(go[1], held, (size_t)len_held) < 0) die_errno("pass the network namespace on");
    }
  }
  close(go[1]);

  char error[2400];
  ssize_t n, got = 0;
  while ((n = read(errp[0], error + got, sizeof error - 1 - got)) > 0 || (n < 0 && errno == EINTR))
    got += n > 0 ? n : 0;
  error[got] = 0;
  close(errp[0]);
  if (netns_fd >= 0) close(netns_fd); /* the child has joined it (or failed) */
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
    status = relay_until_exit(child, pty_master, -1, sigfd, log_fd, &attach_hooks);
  } else {
    if (spec.relay) cli_fds[1] = RELAY_OUT_FD, cli_fds[2] = RELAY_ERR_FD;
    status = relay_until_exit(child, out[0], err[0], sigfd, log_fd,
                              interactive() ? &attach_hooks : &plain_hooks);
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
  if (argc > 1 && (!strcmp(argv[1], "--exec") || !strcmp(argv[1], "--exec-sealed")))
    return exec_main(argc, argv);
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

