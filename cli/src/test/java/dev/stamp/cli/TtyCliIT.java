package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand.Result;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive containers driven as a person would: the CLI in a tmux pane (a real terminal), keys
 * sent with send-keys, the screen read with capture-pane. The host shell runs without line editing,
 * so it only works while the terminal is sane (canonical mode, echo, CR to NL): a raw mode left
 * behind would show as a command that never runs.
 */
@RequiresRoot
class TtyCliIT {

  private static final long WAIT_MILLIS = 60_000;

  @TempDir Path tmp;
  Path root;
  Path rootfs;
  Path stamp;
  ContainerRuntime runtime;
  String tmuxSocket;
  final List<String> cgroupDirs = new ArrayList<>();

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
    StringBuilder exec = new StringBuilder("#!/bin/sh\nexec");
    for (String arg : new StampCliProcess(root).command()) {
      exec.append(" '").append(arg).append("'");
    }
    Files.writeString(script, exec.append(" \"$@\"\n").toString());
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

  private Result run(String... args) {
    return new StampCliProcess(root).run(args);
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
  void interactiveShellDetachAttachAndExit() throws Exception {
    String name = "it-" + UUID.randomUUID().toString().substring(0, 6);
    type(
        runCommand(
            "run", "-it", "--name", name, "--network", "none", "--rootfs", rootfs + "", "sh"));
    awaitScreen(s -> s.contains("/ # "), "the container's prompt");
    type("echo $((6*7))");
    awaitLine("42");
    type("tty; [ -c /dev/console ] && [ -t 0 ] && echo console-$((2*3))");
    awaitLine("/dev/pts/0");
    awaitLine("console-6");
    type("stty size");
    awaitLine("24 80");
    tmux("resize-window", "-t", "t", "-x", "100", "-y", "30");
    type("stty size");
    awaitLine("30 100");

    keys("C-p", "C-q");
    awaitHostShell("detached");
    assertThat(status(name)).isEqualTo(ContainerStatus.RUNNING);
    assertThat(run("ps").out()).contains(name).contains("Up");

    type(runCommand("attach", name) + "; echo attach-rc=$?");
    type("echo again-$((7*3))");
    awaitLine("again-21");
    type("exit 7");
    awaitLine("attach-rc=7");
    awaitHostShell("exited");
    assertThat(status(name)).isEqualTo(ContainerStatus.EXITED);
    assertThat(runtime.inspect(name).state().exitCode()).contains(7);
    assertThat(run("logs", name).out()).contains("again-21").contains("42");
  }

  @Test
  void attachReturnsTheExitCode() throws Exception {
    String name = "rc-" + UUID.randomUUID().toString().substring(0, 6);
    Result started =
        run("run", "-itd", "--name", name, "--network", "none", "--rootfs", rootfs + "", "sh");
    assertThat(started.code()).as(started.err()).isZero();
    type(runCommand("attach", name) + "; echo attach-rc=$?");
    awaitScreen(s -> s.contains("/ # "), "the prompt printed before anyone attached");
    type("exit 5");
    awaitLine("attach-rc=5");
    assertThat(status(name)).isEqualTo(ContainerStatus.EXITED);
  }

  @Test
  void customDetachKeysOnAContainerStartedDetached() throws Exception {
    String name = "dk-" + UUID.randomUUID().toString().substring(0, 6);
    Result started =
        run("run", "-itd", "--name", name, "--network", "none", "--rootfs", rootfs + "", "sh");
    assertThat(started.code()).as(started.err()).isZero();
    assertThat(status(name)).isEqualTo(ContainerStatus.RUNNING);
    type(runCommand("attach", "--detach-keys", "ctrl-x,x", name));
    awaitScreen(s -> s.contains("/ # "), "the prompt printed before anyone attached");
    keys("C-p", "C-q"); // not the detach keys here: passed to the shell, which ignores them
    type("echo $((6*7))");
    awaitLine("42");
    keys("C-x", "x");
    awaitHostShell("detached");
    assertThat(status(name)).isEqualTo(ContainerStatus.RUNNING);
  }

  @Test
  void ttyWithoutStdin() throws Exception {
    type(
        runCommand("run", "-t", "--rm", "--network", "none", "--rootfs", rootfs + "")
            + " sh -c 'tty; stty size; exit 5'; echo rc=$?");
    awaitLine("rc=5");
    List<String> lines = lines();
    assertThat(lines).contains("/dev/pts/0", "24 80");
    assertThat(runtime.list(true)).isEmpty();
  }

  @Test
  void killingTheCliLeavesTheContainerAndTheTerminal() throws Exception {
    String name = "k-" + UUID.randomUUID().toString().substring(0, 6);
    type(
        runCommand(
            "run", "-it", "--name", name, "--network", "none", "--rootfs", rootfs + "", "sh"));
    awaitScreen(s -> s.contains("/ # "), "the container's prompt");
    ProcessHandle cli = cliProcess(name).orElseThrow();
    cli.destroy(); // SIGTERM: the terminal is restored on the way out
    assertThat(cli.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
    awaitHostShell("after-term");
    assertThat(status(name)).isEqualTo(ContainerStatus.RUNNING);

    type(runCommand("attach", name));
    type("echo $((6*7))");
    awaitLine("42");
    ProcessHandle attach = cliProcess(name).orElseThrow();
    attach.destroyForcibly(); // kill -9: no restoring here, but the container lives on
    attach.onExit().get(30, TimeUnit.SECONDS);
    tmux("send-keys", "-t", "t", "-l", "stty sane");
    keys("C-j"); // the terminal is still raw: Enter sends CR, which a raw terminal leaves as is
    awaitHostShell("after-kill");
    assertThat(status(name)).isEqualTo(ContainerStatus.RUNNING);
    assertThat(run("rm", "-f", name).code()).isZero();
    assertThat(runtime.list(true)).isEmpty();
  }

  private static Optional<ProcessHandle> cliProcess(String containerName) {
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info().command().map(c -> c.endsWith("java")).orElse(false)
                    && arguments(p.pid()).contains(containerName))
        .findFirst();
  }

  /**
   * A process's argv from {@code /proc/PID/cmdline}: {@code ProcessHandle.Info} reads only its
   * first 4 KiB and drops the arguments of a longer command line (a test classpath is longer).
   */
  private static List<String> arguments(long pid) {
    try {
      return List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
    } catch (IOException | RuntimeException e) {
      return List.of(); // gone, or not ours to read
    }
  }

  @Test
  void pipedStdinWithoutATty() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            "sh",
            "-c",
            "printf 'hi\\nthere\\n' | "
                + runCommand("run", "-i", "--rm", "--network", "none", "--rootfs", rootfs + "")
                + " sh -c 'cat; read x || echo stdin-closed >&2; exit 4'");
    Path out = tmp.resolve("piped.out");
    Path err = tmp.resolve("piped.err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(err)).isEqualTo(4);
    assertThat(Files.readString(out)).isEqualTo("hi\nthere\n");
    assertThat(Files.readString(err)).isEqualTo("stdin-closed\n");
    assertThat(runtime.list(true)).isEmpty();
  }

  @Test
  void withoutIStdinIsNotPassedOn() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            "sh",
            "-c",
            "echo hi | "
                + runCommand("run", "--rm", "--network", "none", "--rootfs", rootfs + "")
                + " sh -c 'cat; echo done'");
    Path out = tmp.resolve("noi.out");
    Process p = pb.redirectOutput(out.toFile()).redirectErrorStream(true).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(out)).isEqualTo("done\n");
  }

  @Test
  void badDetachKeysAndBadAttachTargets() throws Exception {
    Result bad =
        run("run", "-it", "--detach-keys", "ctrl-xx", "--rootfs", rootfs + "", "--name", "x", "sh");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().lines().toList())
        .containsExactly(
            "stamp: --detach-keys ctrl-xx: unknown key \"ctrl-xx\" (use single characters and ctrl-<a-z, @, [, \\, ], ^, _>, comma separated)");
    assertThat(runtime.list(true)).isEmpty();
    assertThat(root.resolve("containers"))
        .satisfiesAnyOf(d -> assertThat(d).doesNotExist(), d -> assertThat(d).isEmptyDirectory());

    Result unknown = run("attach", "no-such-container");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err().lines().count()).isEqualTo(1);

    Result done =
        run("run", "-i", "--name", "done", "--network", "none", "--rootfs", rootfs + "", "true");
    assertThat(done.code()).isZero();
    status("done");
    Result stopped = run("attach", "done");
    assertThat(stopped.code()).isEqualTo(1);
    assertThat(stopped.err().lines().toList()).hasSize(1);
    assertThat(stopped.err()).startsWith("stamp: attach to container ").contains("exited");

    Result plain =
        run(
            "run",
            "-d",
            "--name",
            "plain",
            "--network",
            "none",
            "--rootfs",
            rootfs + "",
            "sleep",
            "100");
    assertThat(plain.code()).isZero();
    status("plain");
    Result notInteractive = run("attach", "plain");
    assertThat(notInteractive.code()).isEqualTo(1);
    assertThat(notInteractive.err()).contains("-i or -t");

    Result badAttachKeys = run("attach", "--detach-keys", "ctrl-", "plain");
    assertThat(badAttachKeys.code()).isEqualTo(2);
  }
}
