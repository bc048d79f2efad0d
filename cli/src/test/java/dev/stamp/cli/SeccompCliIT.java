package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.testkit.HostCommand.Result;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampRootTest;
import dev.stamp.testkit.TestStateRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 §3 as a user meets it: {@code stamp run} is under Docker's default seccomp profile,
 * {@code --security-opt seccomp=unconfined} and {@code seccomp=FILE} change that, and a bad profile
 * is refused with exit 2 naming the file and the JSON path (nothing is created).
 */
@RequiresRoot
@StampRootTest
@Timeout(180)
class SeccompCliIT {

  CliContainers containers;

  @BeforeEach
  void setUp(TestStateRoot state) throws Exception {
    containers = new CliContainers(state);
  }

  @AfterEach
  void nothingLeft() throws Exception {
    containers.removeAll();
    containers.assertNothingLeft();
  }

  private Result run(String... opts) {
    String[] args = new String[opts.length + 6];
    args[0] = "run";
    args[1] = "--rm";
    args[2] = "--network";
    args[3] = "none";
    args[4] = "--rootfs";
    args[5] = containers.rootfs.toString();
    System.arraycopy(opts, 0, args, 6, opts.length);
    return containers.run(args);
  }

  private static final String USERNS_MOUNT =
      "grep ^Seccomp: /proc/self/status; unshare -U -r -m mount -t tmpfs none /tmp && echo MOUNTED";

  @Test
  void runIsFilteredByDefaultAndUnconfinedOnRequest() {
    Result confined = run("sh", "-c", USERNS_MOUNT);
    assertThat(confined.code()).isNotZero();
    assertThat(confined.out()).isEqualTo("Seccomp:\t2\n");
    assertThat(confined.err()).contains("Operation not permitted");

    Result free = run("--security-opt", "seccomp=unconfined", "sh", "-c", USERNS_MOUNT);
    assertThat(free.out()).as(free.err()).isEqualTo("Seccomp:\t0\nMOUNTED\n");
    assertThat(free.code()).isZero();
  }

  @Test
  void aProfileFileIsUsed() throws Exception {
    Path profile =
        Files.writeString(
            containers.tmp.resolve("no-mkdir.json"),
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
                + "\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}");
    Result r = run("--security-opt", "seccomp=" + profile, "sh", "-c", "mkdir /tmp/x");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("Permission denied");
  }

  @Test
  void aBadOrMissingProfileIsBadInputNamingTheFileAndTheJsonPath() throws Exception {
    Path bad =
        Files.writeString(
            containers.tmp.resolve("bad.json"),
            "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
                + "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"open\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"close\"],\"action\":\"SCMP_ACT_FOO\"}]}");
    Result r = run("--security-opt", "seccomp=" + bad, "true");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(bad + ": syscalls[3].action: unknown action \"SCMP_ACT_FOO\"")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");

    Path broken =
        Files.writeString(containers.tmp.resolve("broken.json"), "{\n  \"defaultAction\": ,\n}");
    Result b = run("--security-opt", "seccomp=" + broken, "true");
    assertThat(b.code()).isEqualTo(2);
    assertThat(b.err()).contains(broken + ": line 2, column").contains("not valid JSON");

    Path missing = containers.tmp.resolve("missing.json");
    Result m = run("--security-opt", "seccomp=" + missing, "true");
    assertThat(m.code()).isEqualTo(2);
    assertThat(m.err())
        .contains("--security-opt seccomp=" + missing + ": cannot read the seccomp profile")
        .contains("no such file");

    Result other = run("--security-opt", "apparmor=unconfined", "true");
    assertThat(other.code()).isEqualTo(2);
    assertThat(other.err()).contains("--security-opt apparmor=unconfined: Stamp supports");
  }
}
