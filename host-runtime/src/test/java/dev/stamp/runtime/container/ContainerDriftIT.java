package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.linux.Capabilities;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drift reports from the upper dir, and exec's privileges, user, workdir and env. */
@RequiresRoot
class ContainerDriftIT {

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

  private String started(ContainerSpec spec) throws Exception {
    String id = f.runtime.create(spec);
    f.runtime.start(id, false).close();
    return id;
  }

  private ExecResult exec(String id, String script) throws Exception {
    ExecResult r = f.runtime.exec(id, List.of("sh", "-c", script), Duration.ofSeconds(10));
    assertThat(r.succeeded()).as("%s: %s", script, r.output()).isTrue();
    return r;
  }

  @Test
  void aFileChangedOutsideTheVolumesIsDriftAndWhatTheRuntimeMadeIsNot() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    String id =
        started(
            f.spec("sleep", "1000")
                .mount(MountSpec.parse("-v", data + ":/srv/data"))
                .workdir("/app/work")
                .build());
    Drift fresh = f.runtime.drift(id);
    assertThat(fresh.paths()).as("mount points, /etc files, workdir are not drift").isEmpty();
    assertThat(fresh.drifted()).isFalse();
    assertThat(fresh.execAt()).isEmpty();

    exec(id, "echo written > /srv/data/file && mkdir -p /srv/data/sub");
    assertThat(Files.readString(data.resolve("file"))).isEqualTo("written\n");
    assertThat(f.runtime.drift(id).drifted()).as("a write to a declared volume").isFalse();
    assertThat(f.runtime.drift(id).execAt()).as("probes' exec does not mark").isEmpty();

    exec(id, "touch /etc/x");
    assertThat(f.runtime.drift(id).paths()).containsExactly("/etc/x");

    exec(id, "rm /bin/true; mkdir /empty; mkdir -p /usr/new && echo > /usr/new/f");
    Drift d = f.runtime.drift(id);
    assertThat(d.paths()).containsExactly("/bin/true", "/empty", "/etc/x", "/usr/new/f");
    assertThat(d.truncated()).isFalse();
  }

  @Test
  void execKeepsTheContainersCapabilitiesAndSetsNoNewPrivs() throws Exception {
    String id = started(f.spec("sleep", "1000").build());
    String container = exec(id, "grep -E '^(CapBnd|CapEff)' /proc/1/status").output();
    String exec =
        exec(id, "grep -E '^(CapBnd|CapEff|CapPrm|NoNewPrivs)' /proc/self/status").output();
    String mask = String.format("%016x", Capabilities.mask(Capabilities.DOCKER_DEFAULT));
    assertThat(container).contains("CapBnd:\t" + mask);
    assertThat(exec.lines().filter(l -> l.startsWith("CapBnd") || l.startsWith("CapEff")))
        .containsExactlyElementsOf(container.lines().toList());
    assertThat(exec).contains("CapPrm:\t" + mask).contains("NoNewPrivs:\t1");
    assertThat(exec(id, "readlink /proc/self/exe; ls /proc/self/fd | wc -l").output())
        .startsWith("/bin/busybox")
        .as("no host fd reaches the command")
        .endsWith("4");
  }

  @Test
  void execStreamingRunsAsTheUserInTheWorkdirWithTheEnvAndMarksTheContainer() throws Exception {
    String id = started(f.spec("sleep", "1000").env("A", "container").build());
    Process p =
        f.runtime.execStreaming(
            id,
            new ExecOptions(
                List.of("sh", "-c", "(id -u; id -g; pwd; echo $A $B) > /tmp/out; exit 7"),
                Map.of("B", "extra"),
                Optional.of("1000:1001"),
                Optional.of("/tmp"),
                false,
                false));
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(7);
    assertThat(exec(id, "cat /tmp/out").output().lines())
        .containsExactly("1000", "1001", "/tmp", "container extra");
    Drift d = f.runtime.drift(id);
    assertThat(d.execAt()).isPresent();
    assertThat(d.suspect()).isTrue();

    Process missing = f.runtime.execStreaming(id, ExecOptions.of(List.of("no-such-command")));
    assertThat(missing.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(missing.exitValue()).isEqualTo(127);
    Process badDir =
        f.runtime.execStreaming(
            id,
            new ExecOptions(
                List.of("true"), Map.of(), Optional.empty(), Optional.of("/nope"), false, false));
    assertThat(badDir.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(badDir.exitValue()).isEqualTo(126);
  }
}
