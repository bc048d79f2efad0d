package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.seccomp.SeccompPolicy;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.RequiresRoot;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's default seccomp profile on every container process (first process, --init, exec), the
 * calls it refuses tried from inside, and the two ways out: seccomp=unconfined and a custom file.
 */
@RequiresRoot
class ContainerSeccompIT {

  static final List<String> REFUSED =
      List.of("keyctl", "add_key", "bpf", "perf_event_open", "userfaultfd", "unshare_user");

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

  /** The probe, built static from the test's C source, in the rootfs as /bin/probe. */
  private void installProbe() throws Exception {
    Path src = tmp.resolve("probe.c");
    try (InputStream in = getClass().getResourceAsStream("/seccomp/probe.c")) {
      Files.copy(in, src);
    }
    HostCommand.run(
            "gcc", "-static", "-O2", "-o", f.rootfs.resolve("bin/probe").toString(), src.toString())
        .ok();
  }

  private RuntimeFixture.Result run(ContainerSpec spec) throws Exception {
    return f.runId(spec);
  }

  @Test
  void everyContainerRunsUnderAFilterByDefault() throws Exception {
    RuntimeFixture.Result r =
        run(f.spec("sh", "-c", "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status").build());
    assertThat(f.stdout(r.id())).isEqualTo("NoNewPrivs:\t1\nSeccomp:\t2\n");
    assertThat(f.runtime.inspect(r.id()).config().orElseThrow().seccomp()).isEqualTo("default");
    assertThat(f.stdout(run(f.spec("grep", "^Seccomp:", "/proc/1/status").init(true).build()).id()))
        .as("--init's PID 1 too")
        .isEqualTo("Seccomp:\t2\n");
    assertThat(
            f.stdout(
                run(f.spec("grep", "^Seccomp:", "/proc/self/status").user("app").build()).id()))
        .as("a non-root user")
        .isEqualTo("Seccomp:\t2\n");
  }

  @Test
  void rootInTheContainerCannotMakeAUserNamespaceAndMountInItUnlessUnconfined() throws Exception {
    String attempt = "unshare -U -r -m mount -t tmpfs none /tmp && echo MOUNTED";
    RuntimeFixture.Result confined = run(f.spec("sh", "-c", attempt).build());
    assertThat(confined.code()).isNotZero();
    assertThat(f.stderr(confined.id())).contains("Operation not permitted");
    assertThat(f.stdout(confined.id())).doesNotContain("MOUNTED");

    RuntimeFixture.Result free =
        run(f.spec("sh", "-c", attempt).seccomp(SeccompPolicy.UNCONFINED).build());
    assertThat(f.stdout(free.id())).as("stderr: %s", f.stderr(free.id())).contains("MOUNTED");
    assertThat(free.code()).isZero();
  }

  @Test
  void theDangerousCallsGetEpermWhileUnconfinedTheyReachTheKernel() throws Exception {
    installProbe();
    List<String> argv = new java.util.ArrayList<>(List.of("probe", "getpid"));
    argv.addAll(REFUSED);
    RuntimeFixture.Result confined = run(f.spec(argv.toArray(String[]::new)).build());
    assertThat(confined.code()).isZero();
    StringBuilder expected = new StringBuilder("getpid OK\n");
    REFUSED.forEach(c -> expected.append(c).append(" EPERM\n"));
    assertThat(f.stdout(confined.id())).isEqualTo(expected.toString());

    String free =
        f.stdout(
            run(f.spec(argv.toArray(String[]::new)).seccomp(SeccompPolicy.UNCONFINED).build())
                .id());
    assertThat(free)
        .as("without the filter the kernel answers (the filter is what refused)")
        .contains("keyctl OK", "add_key OK", "userfaultfd OK", "unshare_user OK");
  }

  @Test
  void everydayBusyboxCommandsStillWork() throws Exception {
    String out =
        f.sh(
            "set -e; mkdir -p /tmp/a/b; echo hello > /tmp/a/b/f; cp /tmp/a/b/f /tmp/g;"
                + " ln -s /tmp/g /tmp/l; cat /tmp/l | sed s/hello/bye/ | tr a-z A-Z;"
                + " ls /tmp/a | wc -l; chmod 600 /tmp/g; chown 1000:1000 /tmp/g; stat -c %u /tmp/g;"
                + " ps | grep -c ps >/dev/null; date +%Y >/dev/null; sleep 0.1 & wait;"
                + " find /tmp -name f | sort; tar -cf /tmp/t.tar -C /tmp a && tar -tf /tmp/t.tar"
                + " | head -1; (echo sub) | cat; awk 'BEGIN{print 6*7}'; id -u; hostname >/dev/null;"
                + " rm -r /tmp/a; echo done");
    assertThat(out).isEqualTo("BYE\n1\n1000\n/tmp/a/b/f\na/\nsub\n42\n0\ndone\n");
  }

  @Test
  void execdProcessesRunUnderTheContainersFilter() throws Exception {
    installProbe();
    String id = f.runtime.create(f.spec("sleep", "1000").build());
    f.runtime.start(id, false).close();
    ExecResult r =
        f.runtime.exec(
            id,
            List.of("sh", "-c", "grep ^Seccomp: /proc/self/status; probe keyctl"),
            Duration.ofSeconds(10));
    assertThat(r.output()).isEqualTo("Seccomp:\t2\nkeyctl EPERM");
    Process p =
        f.runtime.execStreaming(
            id,
            new ExecOptions(
                List.of("sh", "-c", "grep ^Seccomp: /proc/self/status > /tmp/out"),
                java.util.Map.of(),
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                false,
                true));
    assertThat(p.waitFor()).isZero();
    assertThat(f.runtime.exec(id, List.of("cat", "/tmp/out"), Duration.ofSeconds(10)).output())
        .as("-t: the shell under the pty")
        .isEqualTo("Seccomp:\t2");

    String free =
        f.runtime.create(f.spec("sleep", "1000").seccomp(SeccompPolicy.UNCONFINED).build());
    f.runtime.start(free, false).close();
    assertThat(
            f.runtime
                .exec(
                    free, List.of("grep", "^Seccomp:", "/proc/self/status"), Duration.ofSeconds(10))
                .output())
        .isEqualTo("Seccomp:\t0");
  }

  @Test
  void aCustomProfileIsCompiledAndApplied() throws Exception {
    String json =
        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
            + "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}";
    SeccompPolicy custom =
        SeccompPolicy.custom("custom.json", json.getBytes(StandardCharsets.UTF_8));
    RuntimeFixture.Result r =
        run(
            f.spec("sh", "-c", "unshare -U -r true && echo USERNS; mkdir /tmp/x")
                .seccomp(custom)
                .build());
    assertThat(r.code()).isNotZero();
    assertThat(f.stdout(r.id())).as("allowed by this profile").isEqualTo("USERNS\n");
    assertThat(f.stderr(r.id())).contains("Permission denied");
    assertThat(f.root.path().resolve("seccomp/profiles")).isDirectoryContaining("glob:**.json");
  }
}
