/*
 * stamp-shim: Stamp's container monitor and first process (the C part of the launch path).
 *
 * The JVM spawns it as `stamp-shim SPECFILE` in a new session with these fds:
 *   0 /dev/null, 1 /dev/null, 2 the shim's own log, 3 the status pipe (write end),
 *   4/5 the foreground CLI's stdout/stderr when the spec says relay=1,
 *   6 when the spec says hold=1: a pipe from the JVM that releases the container (below).
 * SPECFILE holds NUL-terminated records `key\0value\0`; "mount" takes three values
 * (source, target, options). ShimSpec in Java writes it; parse_spec (spec.c) reads it.
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
 * With hold=1, the container's first process stops after step 2's root filesystem (its network
 * namespace joined, its mounts made) and before the privileges drop, until the JVM writes "1" on
 * fd 6: the JVM connects the bridge (CNI ADD) meanwhile and releases the container once the
 * network and /etc/hosts are ready. EOF there instead (the JVM gave up or died) fails the start:
 * no command ever runs without the network it was promised.
 * With --standby, the spec names only the cgroups and the network mode: the shim does step 2 up
 * to the cgroup join and then waits, fd 4 being a pipe from the JVM, for the path of the full
 * spec; EOF there discards it. Long-lived runtimes keep such standbys ready, so the cgroup v1
 * migration (one RCU grace period, milliseconds) and the namespace creation are off the start path.
 * Run as `stamp-init PID` (argv[0]), it is --init's PID 1: reaps zombies, forwards signals to PID
 * and exits with its status. That mode is re-executed from a sealed memfd copy, so the container
 * cannot reach, let alone overwrite, the host's shim binary through /proc/1/exe.
 *
 * One binary, one file per role, this header between them:
 *   spec.c       the spec file (parse_spec) and the spec every role reads
 *   monitor.c    main, the monitor (steps 1 and 3), the log and the relay of the output
 *   container.c  the container's first process (step 2): cgroups, mounts, pivot, workdir, users,
 *                capabilities, the seccomp filter (last, right before exec), exec
 *   attach.c     -i/-t: the pty (both sides), the stdin pipe, the attach socket and its frames
 *   init.c       stamp-init, --init's PID 1, and the sealed copy it runs from
 *   exec.c       `stamp-shim --exec ...`: privileges, workdir and exec of `stamp exec` (nsenter's child)
 */
#ifndef STAMP_SHIM_H
#define STAMP_SHIM_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define STATUS_FD 3
#define RELAY_OUT_FD 4
#define RELAY_ERR_FD 5
#define CONTROL_FD 4 /* standby mode only: the JVM writes the full spec's path here */
#define HOLD_FD 6    /* hold=1 only: the JVM writes "1" here to release the container */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---------- spec.c: the spec ---------- */

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
  int hold; /* wait for the JVM's release on HOLD_FD before the privileges drop */
  const char *attach;          /* interactive: the attach socket's path */
  int tty, open_stdin, attach_first; /* -t, -i, wait for the starter's attach before cloning */
  uint64_t caps;
  const void *seccomp; /* the compiled filter (struct sock_filter[]), NULL: unconfined */
  size_t seccomp_len;  /* its size in bytes */
  struct list cgroups, args, env, groups, masked, readonly, cleanup;
  struct mount_req *mounts;
  size_t n_mounts;
};

extern struct spec spec;
extern int standby; /* started ahead of need: namespaces and cgroups now, the rest on "go" */

/* Reads SPECFILE into spec; FULL: a container's spec (a standby's names only cgroups, network). */
void parse_spec(const char *path, int full);
/* Reads all of FD (at most 64 KiB, a seccomp filter) into a new buffer; -1 on failure. */
ssize_t read_fd_fully(int fd, void **out);
/* Installs the filter of LEN bytes (struct sock_filter[]); no_new_privs must be set. */
int install_seccomp(const void *filter, size_t len);
/* The monitor's own failures (not the container's: see fail): a message on stderr, exit 1. */
void die_errno(const char *what) __attribute__((noreturn));

/* ---------- monitor.c: the monitor ---------- */

int write_all(int fd, const void *buf, size_t len);
/* A line on the status pipe ("listening", "started PID", "exited CODE", "error ..."). */
void status_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define RELAY_CHUNK 65536  /* at most one read of the container's output */
#define RELAY_HOOK_FDS 18  /* at most what add_fds adds: attach.c's socket, input and 16 clients */

/* What the relay loop (monitor.c) does besides logging the container's output. */
struct relay_hooks {
  void (*output)(int stream, const void *data, size_t len); /* each chunk, once it is logged */
  int (*add_fds)(struct pollfd *fds); /* before each poll: its own fds; returns how many */
  void (*handle)(const struct pollfd *fds, int n); /* after it: the same fds, with revents */
};

/* ---------- container.c: the container's first process ---------- */

extern int error_fd;     /* the error pipe's write end; close-on-exec */
extern int console_sock; /* -t: where the first process sends the pty master */

/* Runs in the new namespaces; GO is the standby's pipe for the full spec. Execs or fails. */
int container_main(int go);
/* Reports "STEP: strerror (errno N)" to the monitor and exits; STEP names what failed. */
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ---------- attach.c: -i, -t ---------- */

extern int listen_fd, pty_master, stdin_w;
extern const struct relay_hooks attach_hooks; /* the relay of an -i/-t container */

int interactive(void);
void setup_console(int console_sock);
int receive_master(int sock);
int attach_listen(void);
void await_first_client(void);
void flush_input(void);
void attach_finish(int code);

/* ---------- init.c: stamp-init ---------- */

int status_code(int status);
int init_main(pid_t child);
int sealed_self_copy(void);

/* ---------- exec.c: the last step of an exec into a running container ---------- */

int exec_main(int argc, char **argv);

#endif
