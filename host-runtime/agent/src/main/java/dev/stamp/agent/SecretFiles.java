package dev.stamp.agent;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.MountSpec;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.linux.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Secrets of services: each copied from its file on the host into a tmpfs of the agent's own
 * ({@code ROOT/agent/secrets}, mode 0700, never on disk), one directory per service and generation,
 * and bound read-only into the replicas at {@code /run/secrets/NAME}. The value is in no image,
 * log, event, record or {@code inspect} (which shows the tmpfs path only).
 */
final class SecretFiles {

  private final Path dir;

  SecretFiles(Path agentDir) {
    this.dir = agentDir.resolve("secrets");
  }

  /** Mounts the tmpfs unless it is there already (an agent restarted over its own). */
  void mount() throws HostRuntimeException {
    try {
      Files.createDirectories(dir);
      if (isMounted()) {
        return;
      }
      int rc =
          LibC.INSTANCE.mount(
              "stamp-secrets",
              dir.toString(),
              "tmpfs",
              LibC.MS_NOSUID | LibC.MS_NODEV | LibC.MS_NOEXEC,
              "mode=0700,size=16m");
      if (rc != 0) {
        throw HostRuntimeException.failed(LibC.describe("mount a tmpfs for secrets on " + dir));
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed("prepare " + dir + ": " + e.getMessage(), e);
    }
  }

  private boolean isMounted() throws IOException {
    String target = " " + dir.toAbsolutePath().normalize() + " ";
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      if (line.contains(target) && line.contains(" - tmpfs ")) {
        return true;
      }
    }
    return false;
  }

  /** Copies the secrets of {@code spec} for one generation; the mounts that bring them in. */
  List<MountSpec> prepare(String service, long generation, ServiceSpec spec)
      throws HostRuntimeException {
    List<MountSpec> mounts = new ArrayList<>();
    if (spec.secrets().isEmpty()) {
      return mounts;
    }
    Path gen = dir.resolve(service + "-" + generation);
    try {
      Files.createDirectories(gen);
      Files.setPosixFilePermissions(gen, PosixFilePermissions.fromString("rwx------"));
      for (int i = 0; i < spec.secrets().size(); i++) {
        ServiceSpec.Secret s = spec.secrets().get(i);
        byte[] value;
        try {
          value = Files.readAllBytes(Path.of(s.file()));
        } catch (IOException e) {
          throw HostRuntimeException.badInput(
              "secrets["
                  + i
                  + "].file: cannot read "
                  + s.file()
                  + " on this host ("
                  + e.getMessage()
                  + ")");
        }
        Path file = gen.resolve(s.name());
        AtomicFiles.write(file, value);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        mounts.add(new MountSpec(file.toString(), "/run/secrets/" + s.name(), true));
      }
      return mounts;
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "copy the secrets of " + service + ": " + e.getMessage(), e);
    }
  }

  /** Removes every generation of {@code service} but {@code keep} (or all when it is negative). */
  void prune(String service, long keep) {
    try (var entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(service + "-") && !n.equals(service + "-" + keep)) {
          AtomicFiles.deleteTree(p);
        }
      }
    } catch (IOException e) {
      // nothing to prune
    }
  }
}
