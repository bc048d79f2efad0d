package dev.stamp.runtime.seccomp;

import dev.stamp.runtime.HostRuntimeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The architectures a seccomp filter can be compiled for: the value the kernel puts in {@code
 * seccomp_data.arch} ({@code AUDIT_ARCH_*}), the name Docker profiles use in {@code
 * includes.arches} (libseccomp's: {@code amd64}, {@code arm64}) and the syscall numbers.
 */
public enum SeccompArch {
  X86_64("amd64", "SCMP_ARCH_X86_64", 0xC000003E, "syscalls-x86_64.txt"),
  AARCH64("arm64", "SCMP_ARCH_AARCH64", 0xC00000B7, "syscalls-aarch64.txt");

  private final String profileName;
  private final String scmpName;
  private final int auditArch;
  private final String table;
  private volatile Map<String, Integer> syscalls;

  SeccompArch(String profileName, String scmpName, int auditArch, String table) {
    this.profileName = profileName;
    this.scmpName = scmpName;
    this.auditArch = auditArch;
    this.table = table;
  }

  /** The name in a profile's {@code includes.arches} / {@code excludes.arches}. */
  public String profileName() {
    return profileName;
  }

  /** The name in a profile's {@code archMap} ({@code SCMP_ARCH_X86_64}). */
  public String scmpName() {
    return scmpName;
  }

  /** {@code AUDIT_ARCH_*}: what the kernel reports in {@code seccomp_data.arch}. */
  public int auditArch() {
    return auditArch;
  }

  /** This machine's architecture (the JVM's {@code os.arch}), if a filter can be made for it. */
  public static Optional<SeccompArch> host() {
    String arch = System.getProperty("os.arch", "");
    if (arch.equals("amd64") || arch.equals("x86_64")) {
      return Optional.of(X86_64);
    }
    if (arch.equals("aarch64") || arch.equals("arm64")) {
      return Optional.of(AARCH64);
    }
    return Optional.empty();
  }

  /** This machine's architecture, or FAILED naming it. */
  public static SeccompArch requireHost() throws HostRuntimeException {
    return host()
        .orElseThrow(
            () ->
                HostRuntimeException.failed(
                    "seccomp: no syscall table for this machine's architecture "
                        + System.getProperty("os.arch")
                        + " (Stamp knows x86_64 and aarch64); run with --security-opt"
                        + " seccomp=unconfined"));
  }

  /** Syscall name to number (the kernel's names: {@code openat}, {@code clone3}). */
  public Map<String, Integer> syscalls() {
    Map<String, Integer> s = syscalls;
    if (s == null) {
      s = load(table);
      syscalls = s;
    }
    return s;
  }

  /** The highest syscall number this table knows: anything above gets ENOSYS (as runc does). */
  public int maxSyscall() {
    return syscalls().values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  private static Map<String, Integer> load(String resource) {
    Map<String, Integer> m = new HashMap<>();
    try (InputStream in = SeccompArch.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from the jar");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.strip().split("\\s+");
        m.put(f[0], Integer.parseInt(f[1]));
      }
    } catch (IOException e) {
      throw new IllegalStateException("read resource " + resource + ": " + e.getMessage(), e);
    }
    return Collections.unmodifiableMap(m);
  }
}
