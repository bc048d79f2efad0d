/*
 * --init: the container's PID 1 runs as `stamp-init PID`, re-executed from a sealed memfd copy
 * of this binary (so /proc/1/exe never reaches the host's shim): it reaps zombies, forwards
 * signals to PID and exits with its status.
 */
#include "stamp-shim.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>

int status_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int init_main(pid_t child) {
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

/* A sealed in-memory copy of this binary, for --init's PID 1 (see the header comment). */
int sealed_self_copy(void) {
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

