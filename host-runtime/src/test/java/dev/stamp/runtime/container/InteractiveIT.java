package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.testkit.RequiresRoot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -i and -t through the runtime's API: the attach socket, its frames, the pty, the backlog. */
@RequiresRoot
class InteractiveIT {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new RuntimeFixture(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  /** Output frames until the exit frame: {stdout, stderr, exit code}. */
  record Drained(String out, String err, int code) {}

  private static Drained drain(AttachConnection a) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AttachConnection.Frame frame;
    while ((frame = a.read()) != null) {
      switch (frame.type()) {
        case AttachConnection.STDOUT -> out.writeBytes(frame.data());
        case AttachConnection.STDERR -> err.writeBytes(frame.data());
        case AttachConnection.EXIT -> {
          return new Drained(
              out.toString(StandardCharsets.UTF_8), err.toString(), frame.exitCode());
        }
        default -> throw new AssertionError("unexpected frame type " + frame.type());
      }
    }
    throw new AssertionError("no exit frame; got " + out);
  }

  /** Reads frames until the output contains {@code text}; returns all of it. */
  private static String readUntil(AttachConnection a, String text) throws Exception {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().contains(text)) {
      AttachConnection.Frame frame = a.read();
      assertThat(frame).as("waiting for %s, got %s", text, sb).isNotNull();
      assertThat(frame.type()).as("output so far: %s", sb).isNotEqualTo(AttachConnection.EXIT);
      sb.append(new String(frame.data(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  @Test
  void stdinWithoutATtyIsAPipeClosedAtEndOfInput() throws Exception {
    ContainerSpec spec = f.spec("sh", "-c", "cat; echo done >&2; exit 3").openStdin(true).build();
    String id = f.runtime.create(spec);
    try (RunningContainer c = f.runtime.startAttached(id, 0, 0)) {
      AttachConnection a = c.attachment().orElseThrow();
      byte[] in = "hello\nworld\n".getBytes(StandardCharsets.UTF_8);
      a.sendInput(in, 0, in.length);
      a.sendEndOfInput();
      assertThat(drain(a)).isEqualTo(new Drained("hello\nworld\n", "done\n", 3));
      assertThat(c.awaitExit()).isEqualTo(3);
    }
    assertThat(f.stdout(id)).isEqualTo("hello\nworld\n");
  }

  @Test
  void inputTheContainerDoesNotReadYetNeverStallsItsOutput() throws Exception {
    // The container writes 200 KB before it reads anything, while 300 KB of input wait for it: a
    // monitor blocked writing input could not relay output, and the container would never read.
    ContainerSpec spec =
        f.spec("sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x; echo; wc -c; echo end")
            .openStdin(true)
            .build();
    String id = f.runtime.create(spec);
    try (RunningContainer c = f.runtime.startAttached(id, 0, 0)) {
      AttachConnection a = c.attachment().orElseThrow();
      byte[] in = new byte[300_000];
      java.util.Arrays.fill(in, (byte) 'i');
      a.sendInput(in, 0, in.length);
      a.sendEndOfInput();
      Drained d = drain(a);
      assertThat(d.code()).isZero();
      assertThat(d.out()).hasSize(200_000 + 1 + "300000\n".length() + "end\n".length());
      assertThat(d.out()).endsWith("\n300000\nend\n");
    }
  }

  @Test
  void aTtyHasTheStartersWindowSizeAndIsTheControllingTerminal() throws Exception {
    ContainerSpec spec =
        f.spec(
                "sh",
                "-c",
                "stty size; tty; [ -t 1 ] && echo is-a-tty; ls -l /dev/console; echo via-dev-tty >/dev/tty; exit 4")
            .tty(true)
            .build();
    String id = f.runtime.create(spec);
    try (RunningContainer c = f.runtime.startAttached(id, 33, 77)) {
      Drained d = drain(c.attachment().orElseThrow());
      assertThat(d.code()).isEqualTo(4);
      assertThat(d.out())
          .contains("33 77\r\n", "/dev/pts/0\r\n", "is-a-tty\r\n", "136,", "via-dev-tty\r\n");
      assertThat(d.err()).isEmpty(); // a tty has one stream
    }
    assertThat(f.stdout(id)).contains("33 77\r\n"); // a tty container's log is its output
  }

  @Test
  void theFirstLateClientGetsWhatWasPrintedBeforeAndResizesWork() throws Exception {
    ContainerSpec spec =
        f.spec("sh", "-c", "echo early; read x; stty size; echo got-$x; exit 6")
            .tty(true)
            .openStdin(true)
            .build();
    String id = f.runtime.create(spec);
    f.runtime.start(id, false).close(); // as -d
    try (AttachConnection a = f.runtime.attach(id)) {
      assertThat(readUntil(a, "early")).contains("early");
      a.sendWindowSize(40, 120);
      byte[] line = "abc\r".getBytes(StandardCharsets.UTF_8);
      a.sendInput(line, 0, line.length);
      Drained d = drain(a);
      assertThat(d.out()).contains("40 120\r\n", "got-abc\r\n");
      assertThat(d.code()).isEqualTo(6);
    }
    assertThat(f.runtime.wait(id)).isEqualTo(6);
  }

  @Test
  void onlyRunningInteractiveContainersCanBeAttached() throws Exception {
    String plain = f.runtime.create(f.spec("sleep", "100").build());
    f.runtime.start(plain, false).close();
    assertThatThrownBy(() -> f.runtime.attach(plain))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("not started with -i or -t")
        .satisfies(
            e -> assertThat(((StampException) e).kind()).isEqualTo(StampException.Kind.CONFLICT));

    String done = f.runtime.create(f.spec("true").openStdin(true).build());
    f.runtime.start(done, false).close();
    f.runtime.wait(done);
    assertThatThrownBy(() -> f.runtime.attach(done))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("it is exited, not running");
    assertThatThrownBy(() -> f.runtime.attach("nosuch"))
        .satisfies(
            e -> assertThat(((StampException) e).kind()).isEqualTo(StampException.Kind.NOT_FOUND));
  }
}
