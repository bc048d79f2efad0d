package dev.stamp.runtime.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SeccompProfileTest {

  private static SeccompProfile parse(String json) throws HostRuntimeException {
    return SeccompProfile.parse("/tmp/p.json", json.getBytes(StandardCharsets.UTF_8));
  }

  private static String problem(String json) {
    try {
      parse(json);
    } catch (HostRuntimeException e) {
      assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void theDefaultProfileParses() {
    SeccompProfile p = SeccompProfile.dockerDefault();
    assertThat(p.defaultAction()).isEqualTo(SeccompProfile.Action.errno(1));
    assertThat(p.rules()).hasSizeGreaterThan(30);
    assertThat(p.digest()).isEqualTo(SeccompProfile.dockerDefaultDigest()).startsWith("sha256:");
  }

  @Test
  void anUnknownActionIsNamedWithItsJsonPath() {
    String json =
        "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
            + "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
            + "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
            + "{\"names\":[\"open\"],\"action\":\"SCMP_ACT_ALLOW\"},"
            + "{\"names\":[\"close\"],\"action\":\"SCMP_ACT_FOO\"}]}";
    assertThat(problem(json))
        .isEqualTo("/tmp/p.json: syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String json =
        "{\"defaultAction\":\"SCMP_ACT_NOPE\",\"syscalls\":["
            + "{\"names\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"},"
            + "{\"names\":[\"x\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":7,"
            + "\"value\":-1,\"op\":\"SCMP_CMP_ABOUT\"}]},"
            + "{\"names\":[\"y\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":\"EPERM\","
            + "\"includes\":{\"minKernel\":\"four\"}}]}";
    assertThat(problem(json))
        .isEqualTo(
            "/tmp/p.json: defaultAction: unknown action \"SCMP_ACT_NOPE\"; "
                + "/tmp/p.json: syscalls[0].names: expected an array of strings; "
                + "/tmp/p.json: syscalls[1].args[0].index: expected an argument index from 0 to"
                + " 5; "
                + "/tmp/p.json: syscalls[1].args[0].value: expected a whole number from 0 to"
                + " 18446744073709551615, got -1; "
                + "/tmp/p.json: syscalls[1].args[0].op: unknown comparison \"SCMP_CMP_ABOUT\"; "
                + "/tmp/p.json: syscalls[2].errnoRet: expected an errno number from 0 to 4095, got"
                + " \"EPERM\"; "
                + "/tmp/p.json: syscalls[2].includes.minKernel: expected \"MAJOR.MINOR\" like"
                + " \"4.8\", got \"four\"");
  }

  @Test
  void malformedJsonNamesTheLineAndColumn() {
    assertThat(problem("{\n  \"defaultAction\": SCMP_ACT_ERRNO\n}"))
        .startsWith("/tmp/p.json: line 2, column ")
        .contains("not valid JSON");
    assertThat(problem("[]"))
        .isEqualTo("/tmp/p.json: expected a JSON object (a Docker seccomp profile)");
    assertThat(problem("{}"))
        .isEqualTo(
            "/tmp/p.json: defaultAction: missing (for no filter at all use --security-opt"
                + " seccomp=unconfined)");
    assertThat(problem("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}"))
        .isEqualTo(
            "/tmp/p.json: defaultAction: SCMP_ACT_NOTIFY needs a listener, which Stamp does not"
                + " offer");
  }

  @Test
  void theSyscallTableMatchesThisMachinesKernelHeaders() throws Exception {
    Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(header), "no x86_64 kernel headers (linux-libc-dev) on this machine");
    Map<String, Integer> fromHeader = new TreeMap<>();
    Matcher m = Pattern.compile("#define __NR_(\\w+) (\\d+)").matcher(Files.readString(header));
    while (m.find()) {
      fromHeader.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    assertThat(fromHeader).hasSizeGreaterThan(300);
    assertThat(SeccompArch.X86_64.syscalls()).containsAllEntriesOf(fromHeader);
  }
}
