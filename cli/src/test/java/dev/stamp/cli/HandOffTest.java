package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stamp.runtime.StampRoot;
import dev.stamp.testkit.HostCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of the CLI hand-off ({@link HandOff}) through its socket, with a client speaking
 * the protocol here and, for the caller checks, the real {@code stamp-handoff} client the build
 * compiles: what runs, what is declined and why, bad requests, a caller that goes.
 */
@Timeout(60)
class HandOffTest {

  static final Path CLIENT = Path.of("target", "stamp-handoff").toAbsolutePath();

  @TempDir Path tmp;
  Path root;
  HandOff handOff;

  @BeforeEach
  void start() throws Exception {
    root = tmp.resolve("root");
    Files.createDirectories(root);
    handOff = HandOff.start(new StampRoot(root));
  }

  @AfterEach
  void stop() {
    handOff.close();
  }

  /**
   * An answer: whether it began with "accepted", standard output, standard error, and the exit code
   * or the decline.
   */
  record Answer(boolean accepted, String out, String err, Integer code, String declined) {}

  static byte[] request(Path cwd, List<String> env, String... args) {
    List<String> fields = new ArrayList<>();
    fields.add(HandOff.MAGIC);
    fields.add("cwd=" + cwd);
    env.forEach(e -> fields.add("env=" + e));
    for (String a : args) {
      fields.add("arg=" + a);
    }
    return raw(fields);
  }

  static byte[] raw(List<String> fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (String f : fields) {
      bytes.writeBytes(f.getBytes(StandardCharsets.UTF_8));
      bytes.write(0);
    }
    bytes.write(0);
    return bytes.toByteArray();
  }

  Answer call(byte[] request) throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(handOff.socket()))) {
      ch.write(ByteBuffer.wrap(request));
      return read(ch);
    }
  }

  static Answer read(SocketChannel ch) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    boolean accepted = false;
    for (int frame = 0; ; frame++) {
      ByteBuffer head = ByteBuffer.allocate(5);
      if (!fill(ch, head)) {
        throw new IOException("the answer ended without an exit or a decline");
      }
      head.flip();
      byte type = head.get();
      ByteBuffer payload = ByteBuffer.allocate(head.getInt());
      assertThat(fill(ch, payload)).isTrue();
      byte[] bytes = payload.array();
      switch (type) {
        case 'a' -> {
          assertThat(frame).as("accepted comes first").isZero();
          assertThat(bytes).isEmpty();
          accepted = true;
        }
        case 'o' -> out.writeBytes(bytes);
        case 'e' -> err.writeBytes(bytes);
        case 'x' -> {
          return new Answer(
              accepted, out.toString(), err.toString(), payload.flip().getInt(), null);
        }
        case 'n' -> {
          return new Answer(accepted, out.toString(), err.toString(), null, new String(bytes));
        }
        default -> throw new IOException("frame type " + type);
      }
    }
  }

  private static boolean fill(SocketChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void theSocketIsTheAgentUsersOnlyAndGoesWithTheAgent() throws Exception {
    Path socket = handOff.socket();
    assertThat(socket).isEqualTo(root.resolve("agent/handoff/cli.sock"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-------");
    handOff.close();
    assertThat(socket).doesNotExist();
  }

  @Test
  void aStaleSocketFileOfADeadAgentIsReplaced() throws Exception {
    handOff.close();
    // what a killed agent leaves: the file, and nobody listening
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(handOff.socket()));
    }
    assertThat(handOff.socket()).exists();
    handOff = HandOff.start(new StampRoot(root));
    Answer a = call(request(tmp, List.of(), "--root", root.toString(), "pull", "Bad::Ref"));
    assertThat(a.code()).isEqualTo(StampCli.EXIT_USAGE);
  }

  @Test
  void aHandedOffCommandRunsHereWithItsCallersStreamsAndExitCode() throws Exception {
    Answer a = call(request(tmp, List.of(), "--root", root.toString(), "pull", "Bad::Ref"));
    assertThat(a.accepted()).isTrue();
    assertThat(a.declined()).isNull();
    assertThat(a.code()).isEqualTo(StampCli.EXIT_USAGE);
    assertThat(a.err()).startsWith("stamp: invalid reference \"Bad::Ref\"");
    assertThat(a.out()).isEmpty();
    // picocli's own output goes the same way: the usage of pull, on standard output
    Answer help = call(request(tmp, List.of(), "--root", root.toString(), "pull", "--help"));
    assertThat(help.code()).isZero();
    assertThat(help.out()).startsWith("Usage: stamp pull");
    assertThat(handOff.ran()).isEqualTo(2);
  }

  /**
   * A warning the command logs (a mirror that fails before the registry is asked) reaches the
   * caller's standard error, as in the command's own JVM, including from its download threads.
   */
  @Test
  void theCommandsLogLinesGoToItsCaller() throws Exception {
    int dead;
    int mirror;
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = a.getLocalPort();
      mirror = b.getLocalPort();
    }
    Files.createDirectories(root.resolve("config"));
    Files.writeString(
        root.resolve("config/registries.json"),
        "{\"mirrors\": {\"127.0.0.1:"
            + dead
            + "\": [\"http://127.0.0.1:"
            + mirror
            + "\"]}, \"insecure\": [\"127.0.0.1:"
            + dead
            + "\"], \"maxAttempts\": 1}");
    Answer a =
        call(
            request(
                tmp, List.of(), "--root", root.toString(), "pull", "127.0.0.1:" + dead + "/x:1"));
    assertThat(a.code()).isEqualTo(StampCli.EXIT_FAILED);
    assertThat(a.err())
        .contains("WARN")
        .contains("(mirror http://127.0.0.1:" + mirror + "); trying the next source")
        .contains("stamp: pull 127.0.0.1:" + dead + "/x:1");
  }

  @Test
  void theRootIsTheCallersRelativeToItsDirectoryOrFromItsStampRoot() throws Exception {
    Answer relative = call(request(tmp, List.of(), "--root", "root", "pull", "Bad::Ref"));
    assertThat(relative.declined()).isNull();
    assertThat(relative.code()).isEqualTo(StampCli.EXIT_USAGE);
    Answer fromEnv = call(request(tmp, List.of("STAMP_ROOT=" + root), "push", "Bad::Ref"));
    assertThat(fromEnv.declined()).isNull();
    assertThat(fromEnv.code()).isEqualTo(StampCli.EXIT_USAGE);
    assertThat(call(request(tmp, List.of(), "--root=" + root, "pull", "x::y")).code())
        .isEqualTo(StampCli.EXIT_USAGE);
  }

  @Test
  void otherRootsOtherCommandsAndDebugAreDeclinedAndNothingRuns() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("other"));
    Answer otherRoot = call(request(tmp, List.of(), "--root", other.toString(), "pull", "a:1"));
    assertThat(otherRoot.declined()).contains("state root is " + other);
    assertThat(otherRoot.accepted()).isFalse();
    // no STAMP_ROOT and no --root: /var/lib/stamp, not this agent's root
    assertThat(call(request(tmp, List.of(), "pull", "a:1")).declined()).contains("/var/lib/stamp");
    assertThat(call(request(tmp, List.of(), "--root", root.toString(), "images")).declined())
        .contains("only");
    assertThat(call(request(tmp, List.of(), "--root", root.toString(), "rmi", "a:1")).declined())
        .contains("only");
    assertThat(
            call(request(tmp, List.of(), "--root", root.toString(), "--debug", "pull", "a:1"))
                .declined())
        .contains("--debug");
    assertThat(call(request(tmp, List.of(), "--root", root.toString())).declined())
        .contains("only");
    assertThat(handOff.ran()).isZero();
    assertThat(other.resolve("images")).doesNotExist();
  }

  @Test
  void badRequestsAreDeclinedWithWhatWasWrong() throws Exception {
    assertThat(call(raw(List.of("stamp-handoff/9", "cwd=/", "arg=pull"))).declined())
        .contains("not a stamp-handoff/1 request");
    assertThat(call(raw(List.of(HandOff.MAGIC, "arg=pull"))).declined()).contains("no cwd=");
    assertThat(call(raw(List.of(HandOff.MAGIC, "cwd=relative", "arg=pull"))).declined())
        .contains("expected an absolute directory");
    assertThat(call(request(tmp, List.of("PATH=/evil"), "pull", "a:1")).declined())
        .contains("env=PATH: only");
    assertThat(call(raw(List.of(HandOff.MAGIC, "cwd=/", "argv=pull"))).declined())
        .contains("field \"argv=pull\"");
    byte[] trailing = request(tmp, List.of(), "pull", "a:1");
    byte[] withMore = java.util.Arrays.copyOf(trailing, trailing.length + 3);
    withMore[trailing.length] = 'x';
    assertThat(call(withMore).declined()).contains("bytes after the request's end");
    // a request that never ends: refused at the limit, not read for ever
    byte[] endless = new byte[HandOff.MAX_REQUEST + 10];
    java.util.Arrays.fill(endless, (byte) 'a');
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(handOff.socket()))) {
      Thread writer =
          new Thread(
              () -> {
                try {
                  ch.write(ByteBuffer.wrap(endless));
                } catch (IOException e) {
                  // the agent closed first: expected
                }
              });
      writer.start();
      assertThat(read(ch).declined()).contains("longer than");
      writer.join();
    }
    // a caller that sends half a request and goes leaves nothing running
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(handOff.socket()))) {
      ch.write(ByteBuffer.wrap((HandOff.MAGIC + "\0cwd=/").getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(handOff.ran()).isZero();
    // and the socket still serves
    assertThat(call(request(tmp, List.of(), "--root", root.toString(), "pull", "B::R")).code())
        .isEqualTo(StampCli.EXIT_USAGE);
  }

  /**
   * A pull from a "registry" that accepts and never answers, so that the command waits: while it
   * waits the call counts as running; when its caller goes, the command is interrupted and ends.
   * Calls beyond {@link HandOff#CONCURRENT} are declined meanwhile, not queued.
   */
  @Test
  void aCallerThatGoesInterruptsItsCommandAndCallsBeyondTheLimitAreDeclined() throws Exception {
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept());
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      String ref = "127.0.0.1:" + silent.getLocalPort() + "/silent:1";
      List<SocketChannel> callers = new ArrayList<>();
      for (int i = 0; i < HandOff.CONCURRENT; i++) {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(handOff.socket()));
        ch.write(ByteBuffer.wrap(request(tmp, List.of(), "--root", root.toString(), "pull", ref)));
        callers.add(ch);
      }
      await(() -> handOff.running() == HandOff.CONCURRENT);
      assertThat(call(request(tmp, List.of(), "--root", root.toString(), "pull", ref)).declined())
          .contains(HandOff.CONCURRENT + " hand-offs are running");
      for (SocketChannel ch : callers) {
        ch.close();
      }
      await(() -> handOff.running() == 0);
      assertThat(root.resolve("images/index.json"))
          .satisfiesAnyOf(
              p -> assertThat(p).doesNotExist(),
              p -> assertThat(Files.readString(p)).doesNotContain("silent"));
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  /** The real client, as another user: refused by the agent's check of the caller's user. */
  @Test
  void aCallerOfAnotherUserIsRefusedEvenWhenItReachesTheSocket() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "needs root: runs the client as uid 65534 (CI runs as root)");
    assertThat(CLIENT).isExecutable();
    // loosen what start() set, so that only the caller check stands in the way
    for (Path p = handOff.socket().getParent(); !p.equals(tmp.getParent()); p = p.getParent()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.setPosixFilePermissions(handOff.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
    HostCommand.Result r =
        client(
            List.of(
                "env",
                "STAMP_HANDOFF_DEBUG=1",
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups"),
            handOff.socket(),
            "--root",
            root.toString(),
            "pull",
            "Bad::Ref");
    assertThat(r.code()).isEqualTo(222);
    assertThat(r.err()).contains("the caller runs as").contains("only the agent's user");
    assertThat(handOff.ran()).isZero();
    // the same client as this user runs the command, and says so by its exit code
    HostCommand.Result mine =
        client(List.of(), handOff.socket(), "--root", root.toString(), "pull", "Bad::Ref");
    assertThat(mine.code()).isEqualTo(StampCli.EXIT_USAGE);
    assertThat(mine.err()).startsWith("stamp: invalid reference");
  }

  /** Runs the real client on {@code socket} with {@code args}, behind {@code prefix}. */
  static HostCommand.Result client(List<String> prefix, Path socket, String... args) {
    List<String> argv = new ArrayList<>(prefix);
    argv.add(CLIENT.toString());
    argv.add(socket.toString());
    argv.addAll(List.of(args));
    return HostCommand.run(Duration.ofSeconds(30), null, argv);
  }

  @Test
  void theClientWithNoAgentOrAStaleSocketSaysNotHere() throws Exception {
    assumeTrue(Files.isExecutable(CLIENT), "the stamp-handoff client is built by mvn package");
    handOff.close();
    HostCommand.Result none =
        HostCommand.run(CLIENT.toString(), handOff.socket().toString(), "pull", "a:1");
    assertThat(none.code()).isEqualTo(222);
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(handOff.socket()));
    }
    HostCommand.Result stale =
        HostCommand.run(CLIENT.toString(), handOff.socket().toString(), "pull", "a:1");
    assertThat(stale.code()).isEqualTo(222);
    assertThat(stale.err()).isEmpty();
  }

  /**
   * The real client against agents that misbehave: one that never answers (stopped, wedged) is
   * given up on after STAMP_HANDOFF_WAIT seconds, "not here" and a line saying so (the launcher
   * then runs the command itself); one that accepted and then went is a failure, exit 1, never run
   * again here.
   */
  @Test
  void theClientGivesUpOnASilentAgentAndFailsWhenAnAcceptedCommandLosesItsAgent() throws Exception {
    assumeTrue(Files.isExecutable(CLIENT), "the stamp-handoff client is built by mvn package");
    Path silent = tmp.resolve("silent.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(silent)); // connects queue; nothing is ever read
      HostCommand.Result r = client(List.of("env", "STAMP_HANDOFF_WAIT=1"), silent, "pull", "a:1");
      assertThat(r.code()).isEqualTo(222);
      assertThat(r.err())
          .isEqualTo(
              "stamp: the agent at "
                  + silent
                  + " did not answer in 1 s; running the command here\n");
    }
    Path going = tmp.resolve("going.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(going));
      Thread agent =
          new Thread(
              () -> {
                try (SocketChannel ch = server.accept()) {
                  HandOff.Request.read(ch);
                  ch.write(ByteBuffer.wrap(new byte[] {'a', 0, 0, 0, 0}));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      agent.start();
      HostCommand.Result r = client(List.of(), going, "pull", "a:1");
      agent.join();
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo("stamp: the agent closed the connection before the command ended\n");
    }
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  static void await(Condition c) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!c.holds()) {
      assertThat(System.nanoTime()).as("waited 30 s").isLessThan(end);
      Thread.sleep(20);
    }
  }
}
