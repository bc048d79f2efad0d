package dev.stamp.runtime.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * One reading of a container's cgroup accounting, from the directories its cgroup consists of (v1:
 * one per controller; v2: one). Each figure comes from whichever file a directory has: cpu from
 * {@code cpuacct.usage} (v1) or {@code cpu.stat usage_usec} (v2); memory from {@code
 * memory.usage_in_bytes} / {@code memory.current} minus inactive page cache (as docker stats shows
 * it), its limit from {@code memory.limit_in_bytes} / {@code memory.max}; pids from {@code
 * pids.current}.
 *
 * @param cpuNanos CPU time used since the cgroup was created
 * @param memoryBytes memory in use, without inactive page cache
 * @param memoryLimitBytes the memory limit, 0 when there is none
 * @param pids processes and threads in the cgroup
 */
public record CgroupStats(long cpuNanos, long memoryBytes, long memoryLimitBytes, long pids) {

  /** v1 writes a page-aligned LONG_MAX for "no limit"; anything this big is no limit. */
  private static final long NO_LIMIT = 1L << 60;

  /** Reads the figures from {@code dirs}; a file missing everywhere reads as 0. */
  public static CgroupStats read(List<Path> dirs) {
    long cpu = 0;
    long memory = 0;
    long limit = 0;
    long pids = 0;
    for (Path dir : dirs) {
      cpu = Math.max(cpu, cpuNanos(dir));
      memory = Math.max(memory, memoryBytes(dir));
      limit = Math.max(limit, memoryLimit(dir));
      pids = Math.max(pids, number(dir.resolve("pids.current")).orElse(0));
    }
    return new CgroupStats(cpu, memory, limit, pids);
  }

  /** CPU use between {@code earlier} and this reading over {@code wallNanos}, 100 = one CPU. */
  public double cpuPercentSince(CgroupStats earlier, long wallNanos) {
    if (wallNanos <= 0) {
      return 0;
    }
    return Math.max(0, cpuNanos - earlier.cpuNanos) * 100.0 / wallNanos;
  }

  private static long cpuNanos(Path dir) {
    OptionalLong v1 = number(dir.resolve("cpuacct.usage"));
    if (v1.isPresent()) {
      return v1.getAsLong();
    }
    return field(dir.resolve("cpu.stat"), "usage_usec").orElse(0) * 1000;
  }

  private static long memoryBytes(Path dir) {
    OptionalLong v1 = number(dir.resolve("memory.usage_in_bytes"));
    if (v1.isPresent()) {
      long inactive = field(dir.resolve("memory.stat"), "total_inactive_file").orElse(0);
      return Math.max(0, v1.getAsLong() - inactive);
    }
    OptionalLong v2 = number(dir.resolve("memory.current"));
    if (v2.isPresent()) {
      long inactive = field(dir.resolve("memory.stat"), "inactive_file").orElse(0);
      return Math.max(0, v2.getAsLong() - inactive);
    }
    return 0;
  }

  private static long memoryLimit(Path dir) {
    OptionalLong limit = number(dir.resolve("memory.limit_in_bytes"));
    if (limit.isEmpty()) {
      limit = number(dir.resolve("memory.max")); // "max" reads as empty
    }
    return limit.isPresent() && limit.getAsLong() < NO_LIMIT ? limit.getAsLong() : 0;
  }

  private static OptionalLong number(Path file) {
    try {
      return OptionalLong.of(Long.parseLong(Files.readString(file).strip()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static OptionalLong field(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key + " ")) {
          return OptionalLong.of(Long.parseLong(line.substring(key.length() + 1).strip()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }
}
