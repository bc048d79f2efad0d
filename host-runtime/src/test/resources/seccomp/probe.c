/*
 * seccomp probe (built by ContainerSeccompIT with gcc -static, copied into a container's rootfs):
 * makes each named call once and prints "NAME OK" or "NAME ERRNONAME", one line each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long call(const char *name) {
  if (!strcmp(name, "keyctl")) return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0);
  if (!strcmp(name, "add_key"))
    return syscall(SYS_add_key, "user", "stamp-probe", "x", 1, -2 /* process keyring */);
  if (!strcmp(name, "bpf")) return syscall(SYS_bpf, 0 /* MAP_CREATE */, NULL, 0);
  if (!strcmp(name, "perf_event_open")) {
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.type = PERF_TYPE_SOFTWARE;
    a.size = sizeof a;
    a.config = PERF_COUNT_SW_TASK_CLOCK;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  }
  if (!strcmp(name, "userfaultfd")) return syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* USER_MODE_ONLY */);
  if (!strcmp(name, "unshare_user")) return unshare(CLONE_NEWUSER);
  if (!strcmp(name, "getpid")) return getpid();
  errno = EINVAL;
  return -1;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    errno = 0;
    long r = call(argv[i]);
    printf("%s %s\n", argv[i], r >= 0 ? "OK" : strerrorname_np(errno));
  }
  return 0;
}
