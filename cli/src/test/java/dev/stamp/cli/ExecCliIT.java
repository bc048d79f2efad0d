package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code stamp exec} as its own {@code java} process: streams, exit codes, -i/-e/-u/-w, -t. */
@RequiresRoot
@Timeout(180)
class ExecCliIT {

  @TempDir Path tmp;
  Path root;
  ContainerRuntime runtime;
  final List<String> cgroupDirs = new ArrayList<>();

  record Result(int code, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    runtime = ContainerRuntime.open(new StampRoot(root));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    for (ContainerInfo i : runtime.list(true)) {
      i.config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
      runtime.remove(i.id(), true);
    }
    cgroupDirs.forEach(d -> assertThat(Path.of(d)).doesNotExist());
  }

  private Result stamp(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(StampCli.class.getName());
    cmd.add("--root");
    cmd.add(root.toString());
    cmd.addAll(List.of(args));
    Path in = Files.writeString(Files.createTempFile(tmp, "in", ".txt"), stdin);
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p =
        new ProcessBuilder(cmd)
            .redirectInput(in.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void execStreamsOutputReturnsTheExitCodeAndTakesDockersFlags() throws Exception {
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    String id =
        runtime.create(
            ContainerSpec.builder()
                .rootfs(rootfs)
                .name("target")
                .env("FROM_IMAGE", "yes")
                .network(new NetworkMode.None())
                .command(List.of("sleep", "1000"))
                .build());
    runtime.inspect(id).config().ifPresent(c -> cgroupDirs.addAll(c.intent().cgroupDirs()));
    runtime.start(id, false).close();

    Result r = stamp("", "exec", "target", "sh", "-c", "echo out; echo err >&2; exit 3");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.out()).isEqualTo("out\n");
    assertThat(r.err()).isEqualTo("err\n");
    assertThat(runtime.drift(id).execAt()).as("marked exec'd").isPresent();
    stamp("", "exec", "target", "touch", "/etc/edited");
    Result inspect = stamp("", "inspect", "target");
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out().replaceAll("\\s+", " "))
        .contains("\"Drifted\" : true")
        .contains("\"Paths\" : [ \"/etc/edited\" ]")
        .containsPattern("\"ExecAt\" : \"20[0-9-]+T");

    r =
        stamp(
            "",
            "exec",
            "-e",
            "X=1",
            "-u",
            "1000:1000",
            "-w",
            "/tmp",
            "target",
            "sh",
            "-c",
            "echo $X $FROM_IMAGE $(id -u) $(pwd) -n");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("1 yes 1000 /tmp -n\n");

    r = stamp("hello\nworld\n", "exec", "-i", id.substring(0, 12), "cat");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("hello\nworld\n");
    r = stamp("hello\n", "exec", "target", "cat");
    assertThat(r.out()).as("without -i stdin is /dev/null").isEmpty();

    r = stamp("", "exec", "target", "no-such-command");
    assertThat(r.code()).isEqualTo(127);
    assertThat(r.err()).contains("no-such-command").doesNotContain("Exception");

    r = stamp("", "exec", "-t", "target", "sh", "-c", "tty; test -t 0 && echo in-tty; exit 4");
    assertThat(r.code()).isEqualTo(4);
    assertThat(r.out().replace("\r", "")).matches("/dev/pts/[0-9]+\nin-tty\n");
    r = stamp("", "exec", "-i", "-t", "target", "sh");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("-it").contains("terminal").doesNotContain("\tat ");

    r = stamp("", "exec", "-w", "tmp", "target", "pwd");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("-w tmp").contains("absolute");

    r = stamp("", "exec", "-u", "nobody-here", "target", "id");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("nobody-here").doesNotContain("\tat ");

    runtime.stop(id, Duration.ofMillis(200));
    r = stamp("", "exec", "target", "true");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("not running").doesNotContain("\tat ");
  }
}
