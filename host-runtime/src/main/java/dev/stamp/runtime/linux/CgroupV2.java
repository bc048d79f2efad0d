package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * cgroup v2: one directory {@code <mount>/stamp/<id>}. Limits go to memory.max, cpu.max and
 * pids.max (the controllers are first enabled in {@code stamp/cgroup.subtree_control}); kill is
 * {@code cgroup.kill}, emptiness is {@code cgroup.events}' "populated".
 */
public final class CgroupV2 implements Cgroups {

  private final Path mount;

  public CgroupV2(Path mount) {
    this.mount = mount;
  }

  @Override
  public String version() {
    return "v2";
  }

  private Path dir(String id) {
    return mount.resolve(PARENT).resolve(id);
  }

  @Override
  public List<Path> dirsFor(String id) {
    return List.of(dir(id));
  }

  @Override
  public List<Path> procsFiles(String id) {
    return List.of(dir(id).resolve("cgroup.procs"));
  }

  @Override
  public void makeDirs(String id) throws HostRuntimeException {
    Path dir = dir(id);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw HostRuntimeException.failed("create cgroup " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void applyLimits(String id, CgroupLimits limits) throws HostRuntimeException {
    Path parent = mount.resolve(PARENT);
    List<String> needed = new ArrayList<>();
    if (limits.memoryBytes() > 0) {
      needed.add("memory");
    }
    if (limits.cpuMillis() > 0) {
      needed.add("cpu");
    }
    if (limits.pids() > 0) {
      needed.add("pids");
    }
    enable(parent, needed);
    Path dir = dir(id);
    if (limits.memoryBytes() > 0) {
      Cgroups.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
      Path swap = dir.resolve("memory.swap.max");
      if (Files.exists(swap)) {
        Cgroups.write(swap, "0");
      }
    }
    if (limits.cpuMillis() > 0) {
      Cgroups.write(
          dir.resolve("cpu.max"), limits.cpuQuotaMicros() + " " + CgroupLimits.CPU_PERIOD_MICROS);
    }
    if (limits.pids() > 0) {
      Cgroups.write(dir.resolve("pids.max"), Long.toString(limits.pids()));
    }
  }

  /** Enables {@code controllers} for the children of {@code parent} (and, if needed, above it). */
  private void enable(Path parent, List<String> controllers) throws HostRuntimeException {
    if (controllers.isEmpty()) {
      return;
    }
    Set<String> available = words(mount.resolve("cgroup.controllers"));
    for (String c : controllers) {
      if (!available.contains(c)) {
        throw HostRuntimeException.failed(
            "cgroup v2 at "
                + mount
                + ": controller "
                + c
                + " is not available (cgroup.controllers: "
                + String.join(" ", available)
                + ")");
      }
    }
    StringBuilder plus = new StringBuilder();
    for (String c : controllers) {
      plus.append(plus.length() == 0 ? "" : " ").append('+').append(c);
    }
    for (Path level : List.of(mount, parent)) {
      if (!words(level.resolve("cgroup.subtree_control")).containsAll(controllers)) {
        Cgroups.write(level.resolve("cgroup.subtree_control"), plus.toString());
      }
    }
  }

  private static Set<String> words(Path file) {
    try {
      return Set.of(Files.readString(file).strip().split("\\s+"));
    } catch (IOException e) {
      return Set.of();
    }
  }

  /** "populated 1" in a v2 cgroup's cgroup.events. */
  static boolean populatedFlag(Path dir) {
    try {
      for (String line : Files.readAllLines(dir.resolve("cgroup.events"))) {
        if (line.startsWith("populated ")) {
          return line.endsWith("1");
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public long cpuUsageNanos(String id) throws HostRuntimeException {
    Path stat = dir(id).resolve("cpu.stat");
    try {
      for (String line : Files.readAllLines(stat)) {
        if (line.startsWith("usage_usec ")) {
          return Long.parseLong(line.substring(11).strip()) * 1000;
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw HostRuntimeException.failed("read " + stat + ": " + e.getMessage(), e);
    }
    throw HostRuntimeException.failed("read " + stat + ": no usage_usec");
  }
}
