package dev.stamp.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real helper processes: what goes in comes out, exit codes, fds, the deadline. */
class HelperProcessTest {

  private static final List<String> ENV = List.of("PATH=/usr/bin:/bin");

  @Test
  void stdinReachesTheHelperAndBothOutputsComeBackWithTheExitCode() throws Exception {
    HelperProcess.Result r =
        HelperProcess.run(
            List.of("/bin/sh", "-c", "cat; echo oops >&2; exit 3"),
            ENV,
            "conf\n".getBytes(StandardCharsets.UTF_8),
            Duration.ofSeconds(30),
            "test");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(new String(r.stdout(), StandardCharsets.UTF_8)).isEqualTo("conf\n");
    assertThat(new String(r.stderr(), StandardCharsets.UTF_8)).isEqualTo("oops\n");
  }

  @Test
  void inputLargerThanAPipeGoesThroughWhileTheOutputIsDrained() throws Exception {
    byte[] big = new byte[300_000];
    Arrays.fill(big, (byte) 'x');
    HelperProcess.Result r =
        HelperProcess.run(List.of("/bin/cat"), ENV, big, Duration.ofSeconds(30), "test");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo(big);
  }

  @Test
  void theHelperGetsExactlyTheEnvironmentAndNoFdOfTheJvmBeyondItsPipes() throws Exception {
    HelperProcess.Result r =
        HelperProcess.run(
            List.of("/bin/sh", "-c", "env; echo --; ls /proc/self/fd"),
            List.of("PATH=/usr/bin:/bin", "CNI_COMMAND=ADD"),
            new byte[0],
            Duration.ofSeconds(30),
            "test");
    String out = new String(r.stdout(), StandardCharsets.UTF_8);
    assertThat(out).contains("CNI_COMMAND=ADD\n").contains("PATH=/usr/bin:/bin\n");
    // sh adds PWD; ls's own directory fd is 3
    assertThat(out.substring(0, out.indexOf("--\n")).lines().toList())
        .containsExactlyInAnyOrder(
            "PATH=/usr/bin:/bin", "CNI_COMMAND=ADD", "PWD=" + System.getProperty("user.dir"));
    assertThat(out.substring(out.indexOf("--\n") + 3).lines().toList())
        .containsExactly("0", "1", "2", "3");
  }

  @Test
  void aHelperSignalledToDeathReportsTheSignal() throws Exception {
    HelperProcess.Result r =
        HelperProcess.run(
            List.of("/bin/sh", "-c", "kill -9 $$"), ENV, new byte[0], Duration.ofSeconds(30), "t");
    assertThat(r.exitCode()).isEqualTo(128 + 9);
  }

  @Test
  void aHelperPastItsDeadlineIsKilledAndTheFailureIsRetryable() {
    assertThatThrownBy(
            () ->
                HelperProcess.run(
                    List.of("/bin/sleep", "30"),
                    ENV,
                    new byte[0],
                    Duration.ofMillis(300),
                    "CNI bridge ADD for container c1"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessage("CNI bridge ADD for container c1: no answer in 0 s")
        .satisfies(e -> assertThat(((HostRuntimeException) e).retryable()).isTrue());
  }

  @Test
  void aMissingBinaryIsAFailureNamingIt() {
    assertThatThrownBy(
            () ->
                HelperProcess.run(
                    List.of("/nonexistent/plugin"), ENV, new byte[0], Duration.ofSeconds(5), "t"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("t: spawn /nonexistent/plugin: No such file or directory");
  }
}
