package dev.stamp.runtime.seccomp;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.seccomp.SeccompProfile.KernelVersion;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compiled seccomp filters of one state root, {@code ROOT/seccomp}: {@code profiles/HEX.json}
 * holds the custom profiles containers were created with (by content digest; a container's record
 * names the digest), {@code filters/KEY.bpf} the compiled programs, one per profile digest,
 * capability set, architecture and kernel version. A start looks the program up (in memory, else
 * one stat) and compiles only what no start compiled before.
 */
public final class SeccompFilters {

  /** A container record's word for "no filter". */
  public static final String UNCONFINED = "unconfined";

  /** A container record's word for Docker's default profile (also what a missing word means). */
  public static final String DEFAULT = "default";

  private static final Map<String, Path> COMPILED = new ConcurrentHashMap<>();
  private static volatile KernelVersion kernel;

  private final Path dir;

  public SeccompFilters(Path dir) {
    this.dir = dir;
  }

  /**
   * What a container record keeps of {@code policy}: {@link #DEFAULT}, {@link #UNCONFINED}, or a
   * custom profile's digest (its JSON is stored under {@code profiles/} first).
   */
  public String record(SeccompPolicy policy) throws HostRuntimeException {
    if (policy instanceof SeccompPolicy.Unconfined) {
      return UNCONFINED;
    }
    if (policy instanceof SeccompPolicy.Custom c) {
      Path file = profileFile(c.profile().digest());
      if (!Files.exists(file)) {
        writeAtomically(
            file,
            c.json().getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "store seccomp profile " + c.profile().source());
      }
      return c.profile().digest();
    }
    return DEFAULT;
  }

  /**
   * The compiled filter for a record's seccomp word and capability set, compiled now if no start
   * compiled it before; empty for {@link #UNCONFINED}.
   */
  public Optional<Path> filterFor(String recorded, Set<String> caps, String capsKey)
      throws HostRuntimeException {
    if (UNCONFINED.equals(recorded)) {
      return Optional.empty();
    }
    SeccompArch arch = SeccompArch.requireHost();
    KernelVersion k = kernel();
    boolean dflt = recorded == null || DEFAULT.equals(recorded);
    String digest = dflt ? SeccompProfile.dockerDefaultDigest() : recorded;
    String key = digest.replace("sha256:", "") + "-" + capsKey + "-" + arch.profileName() + "-" + k;
    Path file = dir.resolve("filters").resolve(key + ".bpf");
    Path known = COMPILED.get(file.toString());
    if (known != null) {
      return Optional.of(known);
    }
    if (!Files.exists(file)) {
      SeccompProfile profile = dflt ? SeccompProfile.dockerDefault() : storedProfile(recorded);
      BpfProgram program = SeccompCompiler.compile(profile, caps, arch, k);
      writeAtomically(file, program.bytes(), "store the compiled seccomp filter");
    }
    COMPILED.put(file.toString(), file);
    return Optional.of(file);
  }

  private SeccompProfile storedProfile(String digest) throws HostRuntimeException {
    Path file = profileFile(digest);
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "read the container's seccomp profile " + file + ": " + e.getMessage(), e);
    }
    return SeccompProfile.parse(file.toString(), json);
  }

  private Path profileFile(String digest) {
    return dir.resolve("profiles").resolve(digest.replace("sha256:", "") + ".json");
  }

  private static void writeAtomically(Path file, byte[] bytes, String action)
      throws HostRuntimeException {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".part");
      try {
        Files.write(tmp, bytes);
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + " in " + file + ": " + e.getMessage(), e);
    }
  }

  /** This machine's kernel version (major.minor), for profiles' {@code minKernel}. */
  public static KernelVersion kernel() {
    KernelVersion k = kernel;
    if (k == null) {
      String release;
      try {
        release = Files.readString(Path.of("/proc/sys/kernel/osrelease"));
      } catch (IOException e) {
        release = System.getProperty("os.version", "");
      }
      k = KernelVersion.parse(release).orElse(new KernelVersion(0, 0));
      kernel = k;
    }
    return k;
  }
}
