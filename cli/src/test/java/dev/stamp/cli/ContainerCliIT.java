package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.HostCommand.Result;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampRootTest;
import dev.stamp.testkit.TestStateRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end: the CLI as its own {@code java} process, as a user runs it. */
@RequiresRoot
@StampRootTest
class ContainerCliIT {

  CliContainers containers;
  Path tmp;
  Path root;
  Path rootfs;
  ContainerRuntime runtime;

  @BeforeEach
  void setUp(TestStateRoot state) throws Exception {
    containers = new CliContainers(state);
    tmp = containers.tmp;
    root = containers.root;
    rootfs = containers.rootfs;
    runtime = containers.runtime;
    // a bridge of its own: the default stamp0 may be another root's, on another subnet
    NetworkManager.open(new StampRoot(root)).saveNetwork(CliNet.uniqueNetwork());
  }

  @AfterEach
  void nothingLeft() throws Exception {
    containers.removeAll();
    NetworkManager.open(new StampRoot(root)).removeNetwork("bridge");
    containers.assertNothingLeft();
  }

  private Result run(String... args) {
    return containers.run(args);
  }

  private ProcessBuilder cli(String... args) {
    return containers.cli(args);
  }

  private void track(String id) throws Exception {
    containers.track(id);
  }

  @Test
  void foregroundRunRelaysOutputAndReturnsTheExitCode() throws Exception {
    Result r =
        run(
            "run",
            "--rm",
            "--rootfs",
            rootfs.toString(),
            "sh",
            "-c",
            "echo hi; echo oops >&2; exit 3");
    assertThat(r).isEqualTo(new Result(3, "hi\n", "oops\n"));
    assertThat(runtime.list(true)).isEmpty();
  }

  @Test
  void detachedContainerOutlivesTheCli() throws Exception {
    Result r =
        run(
            "run",
            "-d",
            "--name",
            "web",
            "--rootfs",
            rootfs.toString(),
            "sh",
            "-c",
            "echo up; sleep 1000");
    assertThat(r.code()).isZero();
    String id = r.out().strip();
    track(id);
    assertThat(id).matches("[0-9a-f]{64}");
    assertThat(runtime.inspect("web").state().status()).isEqualTo(ContainerStatus.RUNNING);
    Result ps = run("ps");
    assertThat(ps.out()).contains(id.substring(0, 12)).contains("Up").contains("web");
    for (int i = 0; i < 100 && !run("logs", "web").out().contains("up"); i++) {
      Thread.sleep(50);
    }
    assertThat(run("logs", "web").out()).isEqualTo("up\n");
    assertThat(run("stop", "-t", "1", "web").code()).isZero();
    assertThat(run("ps", "-a").out()).contains("Exited (137)");
    assertThat(run("rm", "web")).isEqualTo(new Result(0, "web\n", ""));
    assertThat(run("ps", "-a", "-q").out()).isEmpty();
  }

  @Test
  void logsFollowUntilTheContainerExits() throws Exception {
    String id =
        run(
                "run",
                "-d",
                "--rootfs",
                rootfs.toString(),
                "sh",
                "-c",
                "echo one; sleep 1; echo two >&2; sleep 1; echo three")
            .out()
            .strip();
    track(id);
    Result logs = run("logs", "-f", id.substring(0, 12));
    assertThat(logs).isEqualTo(new Result(0, "one\nthree\n", "two\n"));
    assertThat(runtime.inspect(id).state().status()).isEqualTo(ContainerStatus.EXITED);
  }

  @Test
  void detachedRmIsCleanedUpByTheShim() throws Exception {
    Result r = run("run", "-d", "--rm", "--rootfs", rootfs.toString(), "sh", "-c", "sleep 0.5");
    String id = r.out().strip();
    track(id);
    for (int i = 0; i < 400 && !runtime.list(true).isEmpty(); i++) {
      Thread.sleep(50);
    }
    assertThat(runtime.list(true)).isEmpty();
    assertThat(root.resolve("containers").resolve(id)).doesNotExist();
  }

  @Test
  void killMinus9OfAForegroundCliLeavesATruthfulState() throws Exception {
    Path out = tmp.resolve("fg.out");
    Process p =
        cli(
                "run",
                "--name",
                "fg",
                "--rootfs",
                rootfs.toString(),
                "sh",
                "-c",
                "echo started; sleep 1000")
            .redirectOutput(out.toFile())
            .redirectErrorStream(true)
            .start();
    for (int i = 0; i < 400 && !Files.readString(out).contains("started"); i++) {
      Thread.sleep(25);
    }
    p.destroyForcibly();
    p.waitFor();
    track("fg");
    assertThat(run("ps").out()).contains("Up").contains("fg");
    assertThat(run("rm", "fg").code()).isEqualTo(1); // running: needs -f
    assertThat(run("rm", "-f", "fg").code()).isZero();
    assertThat(run("ps", "-a", "-q").out()).isEmpty();
  }

  @Test
  void sigtermToAForegroundRunIsForwarded() throws Exception {
    Path out = tmp.resolve("sig.out");
    Process p =
        cli(
                "run",
                "--rm",
                "--rootfs",
                rootfs.toString(),
                "sh",
                "-c",
                "trap 'echo got-term; exit 5' TERM; echo ready; while :; do sleep 0.1; done")
            .redirectOutput(out.toFile())
            .start();
    for (int i = 0; i < 400 && !Files.readString(out).contains("ready"); i++) {
      Thread.sleep(25);
    }
    p.destroy(); // SIGTERM to the CLI's JVM
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(5);
    assertThat(Files.readString(out)).contains("got-term");
  }

  @Test
  void badInputIsOneLineAndExitTwoWithNothingCreated() throws Exception {
    String fs = rootfs.toString();
    List<Result> results =
        List.of(
            run("run", "--rootfs", fs, "--memory", "12q", "true"),
            run("run", "no-such-image:1.0"),
            run("run", "--rootfs", fs),
            run("run", "--rootfs", fs, "--user", "nosuchuser", "true"),
            run("run", "--rootfs", fs, "nosuchcommand"),
            run("run", "--rootfs", fs, "--bogus-flag", "true"));
    for (Result r : results) {
      assertThat(r.code()).as(r.err()).isEqualTo(2);
      assertThat(r.err().lines().count()).as(r.err()).isLessThanOrEqualTo(2);
      assertThat(r.err()).startsWith("stamp: ").doesNotContain("Exception");
    }
    assertThat(results.get(0).err()).contains("--memory 12q: expected a size like 256m or 1g");
    assertThat(results.get(1).err()).contains("no-such-image:1.0");
    assertThat(results.get(2).err()).contains("no command specified");
    assertThat(results.get(3).err()).contains("nosuchuser");
    assertThat(results.get(4).err()).contains("exec \"nosuchcommand\"");
    assertThat(runtime.list(true)).isEmpty();
  }

  static long count(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.count();
    }
  }
}
