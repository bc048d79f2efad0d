package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * cgroup v1: one directory per controller hierarchy (memory, cpu, cpuacct, pids, devices;
 * co-mounted controllers share one). On a hybrid host the container also joins the
 * (controller-less) unified v2 hierarchy, which gives an exact "populated" flag and {@code
 * cgroup.kill}.
 */
public final class CgroupV1 implements Cgroups {

  /** The controllers a container joins, in the order their limits are written. */
  public static final List<String> CONTROLLERS =
      List.of("memory", "cpu", "cpuacct", "pids", "devices");

  /** Docker's default device allow-list (after "deny all"). */
  static final List<String> DEVICE_RULES =
      List.of(
          "c *:* m",
          "b *:* m",
          "c 1:3 rwm",
          "c 1:5 rwm",
          "c 1:7 rwm",
          "c 1:8 rwm",
          "c 1:9 rwm",
          "c 5:0 rwm",
          "c 5:1 rwm",
          "c 5:2 rwm",
          "c 136:* rwm",
          "c 10:200 rwm");

  private final Map<String, Path> mounts;
  private final Optional<Path> unified;
  private volatile boolean devicesParentReady;

  /**
   * @param mounts controller name to its hierarchy's mount point
   * @param unified the cgroup2 mount of a hybrid host, if any
   */
  public CgroupV1(Map<String, Path> mounts, Optional<Path> unified) {
    this.mounts = new LinkedHashMap<>(mounts);
    this.unified = unified;
  }

  @Override
  public String version() {
    return "v1";
  }

  private Optional<Path> dir(String controller, String id) {
    return Optional.ofNullable(mounts.get(controller)).map(m -> m.resolve(PARENT).resolve(id));
  }

  private Optional<Path> unifiedDir(String id) {
    return unified.map(u -> u.resolve(PARENT).resolve(id));
  }

  @Override
  public List<Path> dirsFor(String id) {
    LinkedHashSet<Path> dirs = new LinkedHashSet<>();
    for (String c : CONTROLLERS) {
      dir(c, id).ifPresent(dirs::add);
    }
    unifiedDir(id).ifPresent(dirs::add);
    return List.copyOf(dirs);
  }

  @Override
  public List<Path> procsFiles(String id) {
    return dirsFor(id).stream().map(d -> d.resolve("cgroup.procs")).toList();
  }

  @Override
  public void makeDirs(String id) throws HostRuntimeException {
    prepareDevicesParent();
    for (Path dir : dirsFor(id)) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw HostRuntimeException.failed("create cgroup " + dir + ": " + e.getMessage(), e);
      }
    }
    Optional<Path> devices = dir("devices", id);
    if (devices.isPresent() && !hasDockerDeviceRules(devices.get())) {
      writeDeviceRules(devices.get());
    }
  }

  @Override
  public void applyLimits(String id, CgroupLimits limits) throws HostRuntimeException {
    Optional<Path> memory = dir("memory", id);
    if (limits.memoryBytes() > 0 && memory.isPresent()) {
      String bytes = Long.toString(limits.memoryBytes());
      Cgroups.write(memory.get().resolve("memory.limit_in_bytes"), bytes);
      Path memsw = memory.get().resolve("memory.memsw.limit_in_bytes");
      if (Files.exists(memsw)) { // no swap beyond the limit, as Docker's --memory alone does
        Cgroups.write(memsw, bytes);
      }
    }
    Optional<Path> cpu = dir("cpu", id);
    if (limits.cpuMillis() > 0 && cpu.isPresent()) {
      Cgroups.write(
          cpu.get().resolve("cpu.cfs_period_us"), Long.toString(CgroupLimits.CPU_PERIOD_MICROS));
      Cgroups.write(cpu.get().resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuQuotaMicros()));
    }
    Optional<Path> pids = dir("pids", id);
    if (limits.pids() > 0 && pids.isPresent()) {
      Cgroups.write(pids.get().resolve("pids.max"), Long.toString(limits.pids()));
    }
  }

  /**
   * Whether the container's devices cgroup already has Docker's allow-list. A new v1 devices cgroup
   * copies its parent's list, so the rules are written once into {@code devices/stamp} (while it
   * has no children: the kernel refuses "deny all" after) and every container inherits them; each
   * write costs ~150 us, the whole list ~2 ms, which would otherwise be paid on every start.
   */
  private boolean hasDockerDeviceRules(Path dir) {
    return devicesParentReady && matchesDockerRules(dir);
  }

  /** Before the first container dir exists: give {@code devices/stamp} Docker's list. */
  private void prepareDevicesParent() {
    Optional<Path> parent = Optional.ofNullable(mounts.get("devices")).map(m -> m.resolve(PARENT));
    if (devicesParentReady || parent.isEmpty()) {
      return;
    }
    try {
      Files.createDirectories(parent.get());
      if (!matchesDockerRules(parent.get()) && childCount(parent.get()) == 0) {
        writeDeviceRules(parent.get());
      }
    } catch (IOException | HostRuntimeException e) {
      // a concurrent runtime got there first, or children exist: checked below
    }
    devicesParentReady = matchesDockerRules(parent.get());
  }

  private static void writeDeviceRules(Path dir) throws HostRuntimeException {
    Cgroups.write(dir.resolve("devices.deny"), "a");
    for (String rule : DEVICE_RULES) {
      Cgroups.write(dir.resolve("devices.allow"), rule);
    }
  }

  private static boolean matchesDockerRules(Path dir) {
    try {
      return new java.util.HashSet<>(Files.readAllLines(dir.resolve("devices.list")))
          .equals(new java.util.HashSet<>(DEVICE_RULES));
    } catch (IOException e) {
      return false;
    }
  }

  private static long childCount(Path dir) {
    try (var children = Files.list(dir)) {
      return children.filter(Files::isDirectory).count();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public long cpuUsageNanos(String id) throws HostRuntimeException {
    Path usage =
        dir("cpuacct", id)
            .orElseThrow(() -> HostRuntimeException.failed("cpu usage: no cpuacct hierarchy"))
            .resolve("cpuacct.usage");
    try {
      return Long.parseLong(Files.readString(usage).strip());
    } catch (IOException | NumberFormatException e) {
      throw HostRuntimeException.failed("read " + usage + ": " + e.getMessage(), e);
    }
  }
}
