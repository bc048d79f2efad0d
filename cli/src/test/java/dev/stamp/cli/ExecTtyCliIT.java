package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stamp exec -it} driven as a person would (the harness of {@link TtyCliIT}): the CLI in a
 * tmux pane (a real terminal), keys sent with send-keys, the screen read with capture-pane. The
 * host shell runs without line editing, so it only works while the terminal is sane (canonical
 * mode, echo, CR to NL): a raw mode left behind would show as a command that never runs.
 */
@RequiresRoot
class ExecTtyCliIT {

  private static final long WAIT_MILLIS = 60_000;

  @TempDir Path tmp;
  Path root;
  Path rootfs;
  Path stamp;
  ContainerRuntime runtime;
  String tmuxSocket;
  final List<String> cgroupDirs = new ArrayList<>();

  record Result(int code, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    runtime = ContainerRuntime.open(new StampRoot(root));
    stamp = launcher();
    tmuxSocket = "stamp-tty-" + UUID.randomUUID().toString().substring(0, 8);
    tmux(
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "80",
        "-y",
        "24",
        "-s",
        "t",
        "env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm PS1='host$ ' bash --norc"
            + " --noprofile --noediting");
    awaitScreen(s -> s.contains("host$"), "the host shell's prompt");
  }

  @AfterEach
  void nothingLeft() throws Exception {
    tmux("kill-server");
    for (ContainerInfo i : runtime.list(true)) {
      i.config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
      runtime.remove(i.id(), true);
    }
    assertThat(Mountinfo.read().anyUnder(root)).isFalse();
    cgroupDirs.forEach(d -> assertThat(Path.of(d)).doesNotExist());
  }

  /** A script that runs this build's CLI on the temp root (the classpath is too long to type). */
  private Path launcher() throws IOException {
    Path script = tmp.resolve("stamp");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(
        script,
        "#!/bin/sh\nexec "
            + java
            + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '"
            + System.getProperty("java.class.path")
            + "' "
            + StampCli.class.getName()
            + " --root "
            + root
            + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private String tmux(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tmux", "-L", tmuxSocket));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /** Types {@code text} literally, then Enter. */
  private void type(String text) throws Exception {
    tmux("send-keys", "-t", "t", "-l", text);
    tmux("send-keys", "-t", "t", "Enter");
  }

  private void keys(String... keys) throws Exception {
    List<String> args = new ArrayList<>(List.of("send-keys", "-t", "t"));
    args.addAll(List.of(keys));
    tmux(args.toArray(String[]::new));
  }

  private String screen() throws Exception {
    return tmux("capture-pane", "-p", "-J", "-t", "t");
  }

  private List<String> lines() throws Exception {
    return screen().lines().map(String::strip).toList();
  }

  private void awaitScreen(Predicate<String> ready, String what) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    String s = screen();
    while (!ready.test(s) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      s = screen();
    }
    assertThat(ready.test(s)).as("waiting for " + what + "; the screen:\n" + s).isTrue();
  }

  /**
   * Waits for output {@code line}: a line that is exactly it, or ends with it after a prompt that a
   * shell printed late (typed commands compute what they print, so they never match).
   */
  private void awaitLine(String line) throws Exception {
    awaitScreen(
        s -> s.lines().map(String::strip).anyMatch(l -> l.equals(line) || l.endsWith(" " + line)),
        "a line \"" + line + "\"");
  }

  /** Waits until the host shell runs commands again (the terminal is sane), then clears. */
  private void awaitHostShell(String marker) throws Exception {
    type("echo " + marker + "-$((1+1))");
    awaitLine(marker + "-2");
    type("clear");
    awaitScreen(s -> s.lines().filter(l -> !l.isBlank()).count() <= 1, "a cleared screen");
  }

  private Result run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(stamp.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private String runCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(stamp.toString()));
    cmd.addAll(List.of(args));
    return String.join(" ", cmd);
  }

  private ContainerStatus status(String name) throws Exception {
    ContainerInfo info = runtime.inspect(name);
    info.config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
    return info.state().status();
  }

  @Test
  void execItGivesAShellOnAPtyWithTheWindowSizeAndRestoresTheTerminal() throws Exception {
    String name = "ex-" + UUID.randomUUID().toString().substring(0, 6);
    String id =
        runtime.create(
            dev.stamp.runtime.container.ContainerSpec.builder()
                .rootfs(rootfs)
                .name(name)
                .network(new dev.stamp.runtime.network.NetworkMode.None())
                .command(List.of("sleep", "1000"))
                .build());
    status(id);
    runtime.start(id, false).close();
    type(runCommand("exec", "-it", name, "sh"));
    awaitScreen(s -> s.contains("/ # "), "the exec'd shell's prompt");
    type("echo $((6*7))");
    awaitLine("42");
    type("[ -t 0 ] && tty | sed 's/[0-9]*$/N/'");
    awaitLine("/dev/pts/N");
    type("stty size");
    awaitLine("24 80");
    tmux("resize-window", "-t", "t", "-x", "100", "-y", "30");
    type("stty size");
    awaitLine("30 100");
    type("exit 5");
    awaitScreen(
        s -> {
          List<String> shown = s.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
          return !shown.isEmpty() && shown.get(shown.size() - 1).equals("host$");
        },
        "the host shell's prompt again");
    type("echo code-$?"); // runs only once the host's terminal is sane again
    awaitLine("code-5");
    awaitHostShell("back");
    assertThat(status(name)).as("the container runs on").isEqualTo(ContainerStatus.RUNNING);
    assertThat(runtime.drift(id).execAt()).isPresent();
  }
}
