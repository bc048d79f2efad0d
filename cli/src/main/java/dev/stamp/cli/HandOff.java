package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the CLI hand-off: a unix socket ({@code ROOT/agent/handoff/cli.sock}) where
 * the launcher's {@code stamp-handoff} client hands {@code stamp pull} and {@code stamp push} of
 * the same state root to the agent's warm JVM, instead of starting a JVM of its own (~0.3 s of a
 * 100 MB transfer's 0.5 s went to a fresh JVM's start, class loading and cold code).
 *
 * <p>Who may hand off: a process of the agent's own user (checked with {@code SO_PEERCRED}), which
 * could run the same command itself. The socket's directory is 0700 as well, so no one else reaches
 * it. The command runs with the caller's directory and the few variables it reads ({@link
 * #ENV_NAMES}), and answers in frames: {@code o} standard output, {@code e} standard error, {@code
 * x} the exit code, after an {@code a} when it accepts the command, or {@code n} when it declines
 * (another root, another command, {@code --debug}, too many at once): the launcher then runs the
 * command itself. When the caller goes (Ctrl-C), the command is interrupted; what it wrote is as
 * safe as a killed CLI's (blobs appear whole or not at all, the tag last).
 */
final class HandOff implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HandOff.class);

  static final String MAGIC = "stamp-handoff/1";

  /** The commands handed off: non-interactive, of one root, whose JVM start was most of them. */
  static final Set<String> COMMANDS = Set.of("pull", "push");

  /** The caller's variables a handed-off command reads (root, registry credentials). */
  static final Set<String> ENV_NAMES = Set.of("STAMP_ROOT", "DOCKER_CONFIG", "HOME");

  /** Commands served at once; more are declined (and run by their own JVM). */
  static final int CONCURRENT = 8;

  static final int MAX_REQUEST = 1 << 20;

  private static final int MAX_FRAME = 1 << 20;

  /**
   * The standard error of the hand-off a thread works for, inherited by the threads it starts (a
   * pull's download pool), for the log lines the command's own JVM would have printed.
   */
  private static final InheritableThreadLocal<Caller> CALLER = new InheritableThreadLocal<>();

  /** A caller's standard error while its command runs. */
  private static final class Caller {
    final PrintWriter err;
    volatile boolean done;

    Caller(PrintWriter err) {
      this.err = err;
    }
  }

  /**
   * Writes a log line to the standard error of the caller whose command this thread works for;
   * false when it works for none (or for one that has ended: a thread that outlives its command,
   * such as a shared pool's, logs to the agent's own standard error again). The line is made only
   * when there is a caller to write it to.
   */
  static boolean toCaller(java.util.function.Supplier<String> line) {
    Caller caller = CALLER.get();
    if (caller == null || caller.done) {
      return false;
    }
    synchronized (caller.err) {
      caller.err.print(line.get());
      caller.err.flush();
    }
    return true;
  }

  private final StampRoot root;
  private final Path socket;
  private final ServerSocketChannel server;
  private final Semaphore slots = new Semaphore(CONCURRENT);
  private final Thread acceptor;
  private final java.util.concurrent.atomic.AtomicLong ran =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  private HandOff(StampRoot root, Path socket, ServerSocketChannel server) {
    this.root = root;
    this.socket = socket;
    this.server = server;
    this.acceptor = new Thread(this::acceptLoop, "stamp-handoff");
    this.acceptor.setDaemon(true);
  }

  /** Where the agent of {@code root} serves hand-offs (what the launcher looks for). */
  static Path socketPath(StampRoot root) {
    return root.path().toAbsolutePath().normalize().resolve("agent/handoff/cli.sock");
  }

  /**
   * Serves hand-offs for {@code root} until closed. A socket file left by an agent that died is
   * replaced (two agents of one root do not run: the engine refuses the second before this).
   */
  static HandOff start(StampRoot root) throws HostRuntimeException {
    Path socket = socketPath(root);
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length >= 108) {
      throw HostRuntimeException.badInput(
          "the hand-off socket "
              + socket
              + " is longer than a unix socket path may be (107 bytes); use a shorter --root");
    }
    try {
      Path dir = socket.getParent();
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Files.deleteIfExists(socket);
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      } catch (IOException e) {
        server.close();
        throw e;
      }
      HandOff handOff = new HandOff(root, socket, server);
      handOff.acceptor.start();
      return handOff;
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "serve CLI hand-offs on " + socket + ": " + e.getMessage(), e);
    }
  }

  Path socket() {
    return socket;
  }

  /** Commands run here so far (declined ones not counted). */
  long ran() {
    return ran.get();
  }

  /** Commands running here now. */
  int running() {
    return CONCURRENT - slots.availablePermits();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.debug("closing the hand-off socket: {}", e.getMessage());
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      LOG.warn("cannot remove the hand-off socket {}: {}", socket, e.getMessage());
    }
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("hand-off socket {}: {}; no more hand-offs", socket, e.getMessage());
        }
        return;
      }
      Thread t = new Thread(() -> serve(channel), "stamp-handoff-call");
      t.setDaemon(true);
      t.start();
    }
  }

  /** One caller: check, read the request, run it or decline it, answer. */
  private void serve(SocketChannel channel) {
    try (channel) {
      Frames frames = new Frames(channel);
      String peer = peerProblem(channel);
      if (peer != null) {
        LOG.warn("hand-off refused: {}", peer);
        frames.decline(peer);
        return;
      }
      Request request;
      try {
        request = Request.read(channel);
      } catch (BadRequest e) {
        LOG.warn("hand-off refused: {}", e.getMessage());
        frames.decline(e.getMessage());
        return;
      }
      String declined = declines(request);
      if (declined != null) {
        frames.decline(declined);
        return;
      }
      if (!slots.tryAcquire()) {
        frames.decline(CONCURRENT + " hand-offs are running");
        return;
      }
      try {
        ran.incrementAndGet();
        frames.accept();
        run(channel, frames, request);
      } finally {
        slots.release();
      }
    } catch (IOException e) {
      LOG.debug("hand-off caller went: {}", e.getMessage());
    }
  }

  /** Null when the peer is this process's user, else why not. */
  private static String peerProblem(SocketChannel channel) throws IOException {
    UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
    String self = System.getProperty("user.name");
    if (peer == null || !peer.user().getName().equals(self)) {
      return "the caller runs as "
          + (peer == null ? "an unknown user" : peer.user().getName())
          + ", the agent as "
          + self
          + "; only the agent's user may hand commands to it";
    }
    return null;
  }

  /** Why the agent does not run {@code request} (the caller then runs it), or null. */
  private String declines(Request request) {
    String[] args = request.args().toArray(new String[0]);
    String command = StampCli.commandWord(args);
    if (command == null || !COMMANDS.contains(command)) {
      return "only " + COMMANDS + " are handed off";
    }
    if (request.args().contains("--debug")) {
      return "--debug runs in its own JVM (debug logging is per process)";
    }
    StampRoot asked;
    try {
      asked = rootOf(request);
    } catch (RuntimeException e) {
      return "cannot tell the command's state root: " + e.getMessage();
    }
    Path mine = root.path().toAbsolutePath().normalize();
    if (!asked.path().toAbsolutePath().normalize().equals(mine)) {
      return "the command's state root is " + asked.path() + ", this agent's " + mine;
    }
    return null;
  }

  /** The state root the command would work on, as its own JVM would resolve it. */
  static StampRoot rootOf(Request request) {
    List<String> args = request.args();
    Path flag = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--root") && i + 1 < args.size()) {
        flag = Path.of(args.get(++i));
      } else if (arg.startsWith("--root=")) {
        flag = Path.of(arg.substring("--root=".length()));
      } else if (!arg.startsWith("-")) {
        break; // the command: options after it are its own
      }
    }
    return StampRoot.resolve(flag == null ? null : request.cwd().resolve(flag), request.env());
  }

  /** Runs the command on this thread while another watches for the caller to go. */
  private void run(SocketChannel channel, Frames frames, Request request) throws IOException {
    Thread worker = Thread.currentThread();
    Thread watcher =
        new Thread(
            () -> {
              try {
                // the caller sends nothing more: end of stream or an error means it went
                channel.read(ByteBuffer.allocate(1));
              } catch (IOException e) {
                // closed under us: the same
              }
              if (!frames.finished()) {
                worker.interrupt();
              }
            },
            "stamp-handoff-watch");
    watcher.setDaemon(true);
    watcher.start();
    int code;
    try (PrintWriter out = new PrintWriter(frames.stream('o'), true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(frames.stream('e'), true, StandardCharsets.UTF_8)) {
      Caller caller = new Caller(err);
      CALLER.set(caller);
      try {
        code =
            StampCli.runFor(
                request.args().toArray(new String[0]), out, err, request.env(), request.cwd());
      } finally {
        caller.done = true;
        CALLER.remove();
      }
      out.flush();
      err.flush();
    }
    Thread.interrupted(); // a caller that went after the command ended: nothing to stop
    frames.exit(code);
  }

  /** A caller's request that is not one. */
  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message);
    }
  }

  /** What a caller sends: its directory, its variables (only {@link #ENV_NAMES}), its arguments. */
  record Request(Path cwd, Map<String, String> env, List<String> args) {

    /** Reads NUL-terminated strings up to the empty one (at most {@link #MAX_REQUEST} bytes). */
    static Request read(SocketChannel channel) throws IOException, BadRequest {
      ByteBuffer buf = ByteBuffer.allocate(8192);
      List<String> fields = new ArrayList<>();
      java.io.ByteArrayOutputStream field = new java.io.ByteArrayOutputStream();
      int total = 0;
      while (true) {
        buf.clear();
        int n = channel.read(buf);
        if (n < 0) {
          throw new BadRequest("the request ended before its last field");
        }
        total += n;
        if (total > MAX_REQUEST) {
          throw new BadRequest("a request longer than " + MAX_REQUEST + " bytes");
        }
        buf.flip();
        while (buf.hasRemaining()) {
          byte b = buf.get();
          if (b != 0) {
            field.write(b);
            continue;
          }
          String text = field.toString(StandardCharsets.UTF_8);
          field.reset();
          if (text.isEmpty()) {
            if (buf.hasRemaining()) {
              throw new BadRequest("bytes after the request's end");
            }
            return parse(fields);
          }
          fields.add(text);
        }
      }
    }

    static Request parse(List<String> fields) throws BadRequest {
      if (fields.isEmpty() || !fields.get(0).equals(MAGIC)) {
        throw new BadRequest("not a " + MAGIC + " request");
      }
      Path cwd = null;
      Map<String, String> env = new HashMap<>();
      List<String> args = new ArrayList<>();
      for (String f : fields.subList(1, fields.size())) {
        if (f.startsWith("cwd=") && cwd == null) {
          cwd = Path.of(f.substring(4));
          if (!cwd.isAbsolute()) {
            throw new BadRequest("cwd=" + cwd + ": expected an absolute directory");
          }
        } else if (f.startsWith("env=") && f.indexOf('=', 4) > 4) {
          int eq = f.indexOf('=', 4);
          String name = f.substring(4, eq);
          if (!ENV_NAMES.contains(name)) {
            throw new BadRequest("env=" + name + ": only " + ENV_NAMES + " are passed");
          }
          env.put(name, f.substring(eq + 1));
        } else if (f.startsWith("arg=")) {
          args.add(f.substring(4));
        } else {
          throw new BadRequest(
              "field \"" + f + "\": expected cwd=DIR (once), env=NAME=VALUE or arg=ARG");
        }
      }
      if (cwd == null) {
        throw new BadRequest("no cwd= field");
      }
      return new Request(cwd, Map.copyOf(env), List.copyOf(args));
    }
  }

  /** The answer's frames: a type byte, a 4-byte length, the bytes. */
  static final class Frames {
    private final SocketChannel channel;
    private boolean finished; // guarded by this

    Frames(SocketChannel channel) {
      this.channel = channel;
    }

    synchronized boolean finished() {
      return finished;
    }

    /** The first frame of a command that runs here: the caller waits no longer for an answer. */
    synchronized void accept() throws IOException {
      write('a', new byte[0], 0, 0);
    }

    synchronized void decline(String why) throws IOException {
      byte[] bytes = why.getBytes(StandardCharsets.UTF_8);
      write('n', bytes, 0, Math.min(bytes.length, 4096));
      finished = true;
    }

    synchronized void exit(int code) throws IOException {
      write('x', ByteBuffer.allocate(4).putInt(code).array(), 0, 4);
      finished = true;
    }

    OutputStream stream(char type) {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          while (len > 0) {
            int n = Math.min(len, MAX_FRAME);
            Frames.this.write(type, b, off, n);
            off += n;
            len -= n;
          }
        }
      };
    }

    private synchronized void write(char type, byte[] bytes, int off, int len) throws IOException {
      if (finished) {
        throw new IOException("the answer has ended");
      }
      ByteBuffer frame = ByteBuffer.allocate(5 + len);
      frame.put((byte) type).putInt(len).put(bytes, off, len).flip();
      while (frame.hasRemaining()) {
        channel.write(frame);
      }
    }
  }
}
