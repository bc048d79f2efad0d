/*
 * stamp-handoff: hands one `stamp` command to the agent serving the same state root, over the
 * agent's unix socket (ROOT/agent/handoff/cli.sock), so that a short command runs in the agent's
 * warm JVM instead of starting one (see dev.stamp.cli.HandOff, which serves it, and the launcher).
 *
 * Usage: stamp-handoff SOCKET ARG...
 *
 * Request: NUL-terminated strings, "stamp-handoff/1", "cwd=DIR", "env=NAME=VALUE"... (only the
 * names the agent reads for a handed-off command), "arg=ARG"..., then an empty string.
 * Answer: frames of one type byte and a 4-byte big-endian length: 'a' accepted (first, empty),
 * 'o' standard output, 'e' standard error, 'x' the exit code (4 bytes), or 'n' not served here
 * (why: printed with STAMP_HANDOFF_DEBUG set).
 *
 * An agent that does not accept or decline within STAMP_HANDOFF_WAIT seconds (default 10: a
 * stopped or wedged agent) is given up on, with a line saying so: the command then runs here.
 *
 * Exit: the command's exit code; NOT_HERE (222) when there is no agent to hand to or it declines,
 * and the launcher then runs the command itself (nothing has been done). Ctrl-C ends this process;
 * the agent sees the connection close and interrupts the command.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NOT_HERE 222
#define MAX_FRAME (1 << 20)

static const char *const ENV_NAMES[] = {"STAMP_ROOT", "DOCKER_CONFIG", "HOME", NULL};

static char *request;
static size_t request_len, request_cap;

static int add(const char *prefix, const char *value) {
  size_t need = strlen(prefix) + strlen(value) + 1;
  if (request_len + need > request_cap) {
    size_t cap = request_cap ? request_cap : 4096;
    while (cap < request_len + need) {
      cap *= 2;
    }
    char *grown = realloc(request, cap);
    if (grown == NULL) {
      return -1;
    }
    request = grown;
    request_cap = cap;
  }
  memcpy(request + request_len, prefix, strlen(prefix));
  memcpy(request + request_len + strlen(prefix), value, strlen(value) + 1);
  request_len += need;
  return 0;
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* 1: read all, 0: end of stream before the first byte, -1: error or end in the middle */
static int read_all(int fd, char *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, buf + got, len - got);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -1;
    }
    if (n == 0) {
      return got == 0 ? 0 : -1;
    }
    got += (size_t)n;
  }
  return 1;
}

/* 1: a byte to read, 0: none within the wait, -1: error */
static int wait_readable(int fd, int seconds) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  for (;;) {
    int r = poll(&p, 1, seconds * 1000);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    return r < 0 ? -1 : r;
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: stamp-handoff SOCKET ARG...\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
    return NOT_HERE;
  }
  strcpy(addr.sun_path, argv[1]);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    return NOT_HERE; /* no agent (a stale socket file, or none), or not ours to reach */
  }
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == NULL) {
    return NOT_HERE;
  }
  int failed = add("", "stamp-handoff/1") || add("cwd=", cwd);
  for (int i = 0; ENV_NAMES[i] != NULL && !failed; i++) {
    const char *value = getenv(ENV_NAMES[i]);
    if (value != NULL) {
      char name[64];
      snprintf(name, sizeof(name), "env=%s=", ENV_NAMES[i]);
      failed = add(name, value);
    }
  }
  for (int i = 2; i < argc && !failed; i++) {
    failed = add("arg=", argv[i]);
  }
  if (failed || add("", "") || write_all(fd, request, request_len) != 0) {
    return NOT_HERE;
  }
  char *payload = malloc(MAX_FRAME);
  if (payload == NULL) {
    return NOT_HERE;
  }
  int wait = 10;
  const char *wait_text = getenv("STAMP_HANDOFF_WAIT");
  if (wait_text != NULL && atoi(wait_text) > 0) {
    wait = atoi(wait_text);
  }
  int r = wait_readable(fd, wait);
  if (r == 0) {
    fprintf(stderr, "stamp: the agent at %s did not answer in %d s; running the command here\n",
            argv[1], wait);
    return NOT_HERE; /* closing the connection tells the agent to let it go, if it ever takes it */
  }
  int answered = 0; /* once accepted, the command cannot run here again */
  for (;;) {
    unsigned char head[5];
    r = read_all(fd, (char *)head, sizeof(head));
    if (r <= 0) {
      if (!answered) {
        return NOT_HERE; /* closed before any answer: the agent stopped; nothing ran */
      }
      fprintf(stderr, "stamp: the agent closed the connection before the command ended\n");
      return 1;
    }
    uint32_t len = (uint32_t)head[1] << 24 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 8 |
                   (uint32_t)head[4];
    if (len > MAX_FRAME || read_all(fd, payload, len) != 1) {
      fprintf(stderr, "stamp: the agent's answer is broken (a frame of %u bytes)\n", len);
      return 1;
    }
    switch (head[0]) {
    case 'a':
      answered = 1;
      break;
    case 'o':
    case 'e':
      answered = 1;
      if (write_all(head[0] == 'o' ? 1 : 2, payload, len) != 0 && errno == EPIPE) {
        return 141; /* as a shell reports a process ended by SIGPIPE */
      }
      break;
    case 'x':
      if (len != 4) {
        fprintf(stderr, "stamp: the agent's answer is broken (an exit frame of %u bytes)\n", len);
        return 1;
      }
      return (unsigned char)payload[0] << 24 | (unsigned char)payload[1] << 16 |
             (unsigned char)payload[2] << 8 | (unsigned char)payload[3];
    case 'n':
      if (answered) {
        fprintf(stderr, "stamp: the agent declined the command after it started\n");
        return 1;
      }
      if (getenv("STAMP_HANDOFF_DEBUG") != NULL) {
        fprintf(stderr, "stamp-handoff: %.*s\n", (int)len, payload);
      }
      return NOT_HERE;
    default:
      fprintf(stderr, "stamp: the agent's answer is broken (frame type %d)\n", head[0]);
      return 1;
    }
  }
}
