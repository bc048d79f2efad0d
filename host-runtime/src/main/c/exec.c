/*
 * exec.c: the last step of `docker exec` (ContainerExec in Java). The JVM's /bin/sh joins the
 * container's cgroups, opens this binary as fd 9 and execs nsenter into the container's
 * namespaces and root; nsenter execs /proc/self/fd/9 as
 *   stamp-shim --exec CAPS_HEX UID GID GROUPS WORKDIR -- CMD ARGS...
 * (GROUPS: comma-separated or "-"; WORKDIR: "-" for the container's). This role first re-executes
 * itself from a sealed memfd copy (so no process of the container can ever reach the host's binary
 * through /proc/PID/exe, CVE-2019-5736), then does what the container's first process did: the
 * bounding set, groups, gid, uid, Docker's capabilities, no_new_privs, the working directory, and
 * execs the command with PATH from the environment the JVM gave (the container's). Setup failures
 * exit 126 with one line on stderr; a command that is not found exits 127 (docker exec's codes).
 */
#include "stamp-shim.h"

#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static void exec_fail(const char *what, const char *arg) __attribute__((noreturn));
static void exec_fail(const char *what, const char *arg) {
  fprintf(stderr, "stamp exec: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
  _exit(126);
}

int exec_main(int argc, char **argv) {
  /* argv: [0] [1]=--exec|--exec-sealed [2]=caps [3]=uid [4]=gid [5]=groups [6]=workdir [7]=-- */
  if (argc < 9 || strcmp(argv[7], "--")) {
    fprintf(stderr, "usage: stamp-shim --exec CAPS UID GID GROUPS WORKDIR -- CMD... (by Stamp)\n");
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
  execvp(argv[8], argv + 8);
  int code = errno == ENOENT ? 127 : 126;
  fprintf(stderr, "stamp exec: %s: %s\n", argv[8], strerror(errno));
  _exit(code);
}
