/*
 * Interactive containers (-i, -t): the pty, the stdin pipe, the attach socket.
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
#include "stamp-shim.h"

#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

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
int listen_fd = -1, pty_master = -1, stdin_w = -1;
static int ever_attached;
static unsigned char *backlog;
static size_t backlog_len;
static struct winsize initial_size;
/* Input the container has not taken yet: written as it drains (fds are non-blocking), so a
 * container that reads no input never stalls the relay of its output. */
static unsigned char *pending_in;
static size_t pending_len;
static int close_stdin_when_drained;

int interactive(void) { return spec.tty || spec.open_stdin; }

/* Child side, inside the new root (/dev/pts is the container's own devpts), still privileged. */
void setup_console(int console_sock) {
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
int receive_master(int sock) {
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
int attach_listen(void) {
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
void flush_input(void) {
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
void await_first_client(void) {
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

/* The relay's hooks (monitor.c): the output goes to every client (and the backlog); the attach
 * socket, the container's input while some is pending, and every client are polled too. */
_Static_assert(2 + MAX_CLIENTS <= RELAY_HOOK_FDS, "the relay polls the socket, input, clients");
_Static_assert(RELAY_CHUNK <= FRAME_MAX, "one read of the relay is one frame");

static int slot[RELAY_HOOK_FDS]; /* the client behind each fd attach_fds added */

static int attach_fds(struct pollfd *fds) {
  fds[0] = (struct pollfd){listen_fd, POLLIN, 0};
  fds[1] = (struct pollfd){pending_len ? input_fd() : -1, POLLOUT, 0};
  int n = 2;
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (!clients[i]) continue;
    short events = POLLIN | (clients[i]->out_len ? POLLOUT : 0);
    slot[n] = i, fds[n++] = (struct pollfd){clients[i]->fd, events, 0};
  }
  return n;
}

static void attach_handle(const struct pollfd *fds, int n) {
  if (fds[0].revents) accept_client();
  if (fds[1].revents) flush_input();
  for (int f = 2; f < n; f++) {
    if ((fds[f].revents & POLLOUT) && clients[slot[f]]) flush_client(slot[f]);
    if ((fds[f].revents & ~POLLOUT) && clients[slot[f]]) read_client(slot[f]);
  }
}

const struct relay_hooks attach_hooks = {broadcast, attach_fds, attach_handle};

/* After the exit file: every client learns the exit code; the socket goes. */
void attach_finish(int code) {
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

