package dev.stamp.runtime.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.seccomp.SeccompProfile.KernelVersion;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeccompCompilerTest {

  static final Set<String> DOCKER_CAPS =
      Set.of(
          "CAP_CHOWN",
          "CAP_DAC_OVERRIDE",
          "CAP_FOWNER",
          "CAP_FSETID",
          "CAP_KILL",
          "CAP_SETGID",
          "CAP_SETUID",
          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE",
          "CAP_NET_RAW",
          "CAP_SYS_CHROOT",
          "CAP_MKNOD",
          "CAP_AUDIT_WRITE",
          "CAP_SETFCAP");

  static final int ALLOW = 0x7fff0000;
  static final int EPERM = 0x00050001;
  static final int ENOSYS = 0x00050026;
  static final int KILL_PROCESS = 0x80000000;
  static final KernelVersion KERNEL = new KernelVersion(6, 18);
  static final SeccompArch X86 = SeccompArch.X86_64;

  private static int nr(String name) {
    return X86.syscalls().get(name);
  }

  private static BpfProgram dockerDefault(Set<String> caps) {
    return SeccompCompiler.compile(SeccompProfile.dockerDefault(), caps, X86, KERNEL);
  }

  private static int call(BpfProgram p, String name, long... args) {
    return BpfInterpreter.run(p, X86, nr(name), args);
  }

  @Test
  void dockerDefaultAllowsTheCommonSyscallsAndRefusesTheDangerousOnesWithEperm() {
    BpfProgram p = dockerDefault(DOCKER_CAPS);
    for (String ok :
        new String[] {
          "read",
          "write",
          "openat",
          "close",
          "execve",
          "mmap",
          "futex",
          "exit_group",
          "clone3",
          "rt_sigaction",
          "getpid",
          "wait4",
          "chroot",
          "arch_prctl",
          "statx",
          "io_uring_setup"
        }) {
      if (!ok.equals("clone3") && !ok.equals("io_uring_setup")) {
        assertThat(call(p, ok)).as(ok).isEqualTo(ALLOW);
      }
    }
    for (String refused :
        new String[] {
          "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
          "kexec_load", "open_by_handle_at", "unshare", "setns", "mount", "umount2",
          "pivot_root", "init_module", "reboot", "ptrace_nonexistent_placeholder"
        }) {
      if (X86.syscalls().containsKey(refused)) {
        assertThat(call(p, refused)).as(refused).isEqualTo(EPERM);
      }
    }
  }

  @Test
  void withoutSysAdminCloneMayNotCreateNamespacesAndClone3GetsEnosys() {
    BpfProgram p = dockerDefault(DOCKER_CAPS);
    long newUser = 0x10000000L;
    long newNs = 0x00020000L;
    long threadFlags = 0x003d0f00L; // what pthread_create passes
    assertThat(call(p, "clone", 0x11 /* SIGCHLD */)).isEqualTo(ALLOW);
    assertThat(call(p, "clone", threadFlags)).isEqualTo(ALLOW);
    assertThat(call(p, "clone", newUser | 0x11)).isEqualTo(EPERM);
    assertThat(call(p, "clone", newNs)).isEqualTo(EPERM);
    assertThat(call(p, "clone3")).isEqualTo(ENOSYS);
  }

  @Test
  void sysAdminAllowsNamespacesAndBpfAsDockerDoes() {
    Set<String> caps = new HashSet<>(DOCKER_CAPS);
    caps.add("CAP_SYS_ADMIN");
    BpfProgram p = dockerDefault(caps);
    assertThat(call(p, "clone", 0x10000000L)).isEqualTo(ALLOW);
    assertThat(call(p, "clone3")).isEqualTo(ALLOW);
    assertThat(call(p, "unshare")).isEqualTo(ALLOW);
    assertThat(call(p, "mount")).isEqualTo(ALLOW);
    assertThat(call(p, "bpf")).isEqualTo(ALLOW);
    assertThat(call(p, "keyctl")).isEqualTo(EPERM); // no rule allows it at all
  }

  @Test
  void socketAndPersonalityFollowTheirArgumentRules() {
    BpfProgram p = dockerDefault(DOCKER_CAPS);
    assertThat(call(p, "socket", 2 /* AF_INET */)).isEqualTo(ALLOW);
    assertThat(call(p, "socket", 16 /* AF_NETLINK */)).isEqualTo(ALLOW);
    assertThat(call(p, "socket", 40 /* AF_VSOCK */)).isEqualTo(EPERM);
    assertThat(call(p, "socket", 38 /* AF_ALG */)).isEqualTo(EPERM);
    assertThat(call(p, "socket", 39)).isEqualTo(ALLOW);
    assertThat(call(p, "socket", 41)).isEqualTo(ALLOW);
    assertThat(call(p, "socket", 2 | (1L << 32))).as("high word set: above 40").isEqualTo(ALLOW);
    assertThat(call(p, "personality", 0)).isEqualTo(ALLOW);
    assertThat(call(p, "personality", 0xffffffffL)).isEqualTo(ALLOW);
    assertThat(call(p, "personality", 0x0040000 /* ADDR_NO_RANDOMIZE */)).isEqualTo(EPERM);
  }

  @Test
  void unknownNumbersGetEnosysAndOtherAbisAreKilled() {
    BpfProgram p = dockerDefault(DOCKER_CAPS);
    assertThat(BpfInterpreter.run(p, X86, X86.maxSyscall() + 1)).isEqualTo(ENOSYS);
    assertThat(BpfInterpreter.run(p, X86, 0x40000000 | nr("keyctl"))).isEqualTo(ENOSYS);
    assertThat(BpfInterpreter.run(p, X86, -1)).isEqualTo(ENOSYS);
    assertThat(BpfInterpreter.run(p, 0x40000003 /* AUDIT_ARCH_I386 */, 1)).isEqualTo(KILL_PROCESS);
    assertThat(BpfInterpreter.run(p, 0x40000003, 0)).isEqualTo(KILL_PROCESS);
  }

  @Test
  void everySyscallOfTheTableGetsTheSameAnswerAsADirectReadingOfTheProfile() {
    // the tree's answer for each number equals the rule lookup done the plain way
    BpfProgram p = dockerDefault(DOCKER_CAPS);
    Set<String> allowed = new HashSet<>();
    for (SeccompProfile.Rule r : SeccompProfile.dockerDefault().rules()) {
      if (r.args().isEmpty()
          && r.action().kind() == SeccompProfile.Action.Kind.ALLOW
          && SeccompCompiler.applies(r, DOCKER_CAPS, X86, KERNEL)) {
        allowed.addAll(r.names());
      }
    }
    Set<Integer> conditional = Set.of(nr("socket"), nr("personality"), nr("clone"));
    X86.syscalls()
        .forEach(
            (name, number) -> {
              if (conditional.contains(number) || name.equals("clone3")) {
                return;
              }
              assertThat(BpfInterpreter.run(p, X86, number))
                  .as(name)
                  .isEqualTo(allowed.contains(name) ? ALLOW : EPERM);
            });
    assertThat(p.instructions().size()).isLessThan(1000);
  }

  @Test
  void minKernelAndArchIncludesAreHonoured() throws Exception {
    BpfProgram old =
        SeccompCompiler.compile(
            SeccompProfile.dockerDefault(), DOCKER_CAPS, X86, new KernelVersion(4, 4));
    assertThat(call(old, "ptrace")).isEqualTo(EPERM); // minKernel 4.8
    assertThat(call(dockerDefault(DOCKER_CAPS), "ptrace")).isEqualTo(ALLOW);
    BpfProgram arm =
        SeccompCompiler.compile(
            SeccompProfile.dockerDefault(), DOCKER_CAPS, SeccompArch.AARCH64, KERNEL);
    int armClose = SeccompArch.AARCH64.syscalls().get("close");
    assertThat(BpfInterpreter.run(arm, SeccompArch.AARCH64, armClose)).isEqualTo(ALLOW);
    assertThat(BpfInterpreter.run(arm, X86, armClose)).isEqualTo(KILL_PROCESS);
  }

  @Test
  void everyComparisonWorksOnAllSixtyFourBits() throws Exception {
    long big = 0x1_0000_0005L;
    String json =
        "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":13,\"syscalls\":["
            + rule("read", "SCMP_CMP_EQ", big, 0)
            + ","
            + rule("write", "SCMP_CMP_NE", big, 0)
            + ","
            + rule("open", "SCMP_CMP_LT", big, 0)
            + ","
            + rule("close", "SCMP_CMP_LE", big, 0)
            + ","
            + rule("stat", "SCMP_CMP_GT", big, 0)
            + ","
            + rule("fstat", "SCMP_CMP_GE", big, 0)
            + ","
            + rule("lstat", "SCMP_CMP_MASKED_EQ", 0xff_0000_00ffL, 0x01_0000_0002L)
            + "]}";
    BpfProgram p =
        SeccompCompiler.compile(
            SeccompProfile.parse("t.json", json.getBytes(StandardCharsets.UTF_8)),
            Set.of(),
            X86,
            KERNEL);
    int eacces = 0x0005000d;
    long[] samples = {0, 5, big - 1, big, big + 1, 0x2_0000_0000L, -1L};
    for (long v : samples) {
      assertThat(call(p, "read", v)).as("EQ %x", v).isEqualTo(v == big ? ALLOW : eacces);
      assertThat(call(p, "write", v)).as("NE %x", v).isEqualTo(v != big ? ALLOW : eacces);
      assertThat(call(p, "open", v))
          .as("LT %x", v)
          .isEqualTo(Long.compareUnsigned(v, big) < 0 ? ALLOW : eacces);
      assertThat(call(p, "close", v))
          .as("LE %x", v)
          .isEqualTo(Long.compareUnsigned(v, big) <= 0 ? ALLOW : eacces);
      assertThat(call(p, "stat", v))
          .as("GT %x", v)
          .isEqualTo(Long.compareUnsigned(v, big) > 0 ? ALLOW : eacces);
      assertThat(call(p, "fstat", v))
          .as("GE %x", v)
          .isEqualTo(Long.compareUnsigned(v, big) >= 0 ? ALLOW : eacces);
    }
    assertThat(call(p, "lstat", 0x01_1234_5602L)).isEqualTo(ALLOW);
    assertThat(call(p, "lstat", 0x02_0000_0002L)).isEqualTo(eacces);
    assertThat(call(p, "lstat", 0x01_0000_0003L)).isEqualTo(eacces);
    assertThat(call(p, "getpid")).isEqualTo(eacces);
  }

  @Test
  void conditionsOnOneArgumentAreAlternativesOnDifferentOnesAllMustHold() throws Exception {
    String json =
        "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
            + "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
            + "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
            + "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]},"
            + "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
            + "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
            + "{\"index\":2,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]},"
            + "{\"names\":[\"getpid\",\"no_such_syscall\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}"
            + "]}";
    BpfProgram p =
        SeccompCompiler.compile(
            SeccompProfile.parse("t.json", json.getBytes(StandardCharsets.UTF_8)),
            Set.of(),
            X86,
            KERNEL);
    assertThat(call(p, "read", 1)).isEqualTo(ALLOW);
    assertThat(call(p, "read", 2)).isEqualTo(ALLOW);
    assertThat(call(p, "read", 3)).isEqualTo(EPERM);
    assertThat(call(p, "write", 1, 0, 2)).isEqualTo(ALLOW);
    assertThat(call(p, "write", 1, 0, 3)).isEqualTo(EPERM);
    assertThat(call(p, "write", 0, 0, 2)).isEqualTo(EPERM);
    assertThat(call(p, "getpid")).isEqualTo(KILL_PROCESS);
  }

  @Test
  void theProgramSurvivesItsByteForm() {
    BpfProgram p = dockerDefault(DOCKER_CAPS);
    assertThat(BpfProgram.of(p.bytes())).isEqualTo(p);
    assertThat(p.bytes()).hasSize(p.instructions().size() * 8);
  }

  private static String rule(String name, String op, long value, long valueTwo) {
    return "{\"names\":[\""
        + name
        + "\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":"
        + Long.toUnsignedString(value)
        + ",\"valueTwo\":"
        + Long.toUnsignedString(valueTwo)
        + ",\"op\":\""
        + op
        + "\"}]}";
  }
}
