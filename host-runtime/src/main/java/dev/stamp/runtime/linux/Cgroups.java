package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A container's cgroups, v1 or v2 (detected from {@code /proc/self/mountinfo} by {@link
 * #detect()}). Each container gets {@code <hierarchy>/stamp/<id>}; its first process writes itself
 * into {@link #procsFiles} before anything else runs, so it is limited from its first instruction.
 */
public sealed interface Cgroups permits CgroupV1, CgroupV2 {

  /** The parent directory of every container's cgroup in each hierarchy. */
  String PARENT = "stamp";

  /** The directories the container's cgroup consists of (computed; nothing is created). */
  List<Path> dirsFor(String id);

  /** Creates the container's cgroup and writes its limits. */
  default void create(String id, CgroupLimits limits) throws HostRuntimeException {
    makeDirs(id);
    applyLimits(id, limits);
  }

  /** Creates the container's cgroup without limits (a standby's, limited when it is assigned). */
  void makeDirs(String id) throws HostRuntimeException;

  /** Writes the limits (0 = unlimited: nothing written). */
  void applyLimits(String id, CgroupLimits limits) throws HostRuntimeException;

  /** The files the first process writes "0" to in order to join. */
  List<Path> procsFiles(String id);

  /** CPU time the container has used, in nanoseconds (cgroup accounting). */
  long cpuUsageNanos(String id) throws HostRuntimeException;

  /** "v1" or "v2". */
  String version();

  /** The host's cgroups as mounted: v2 when /sys/fs/cgroup is cgroup2, else v1. */
  static Cgroups detect() throws HostRuntimeException {
    return Mountinfo.read().cgroups();
  }

  /**
   * Removes {@code dirs} (rmdir; missing ones are fine). The kernel refuses while a process is
   * still leaving, so this retries for a few seconds.
   */
  static void remove(List<Path> dirs) throws HostRuntimeException {
    for (Path dir : dirs) {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (true) {
        try {
          Files.deleteIfExists(dir);
          break;
        } catch (IOException e) {
          if (System.nanoTime() > deadline) {
            throw HostRuntimeException.failed("remove cgroup " + dir + ": " + e.getMessage(), e);
          }
          sleepBriefly();
        }
      }
    }
  }

  /**
   * SIGKILLs every process in the cgroup made of {@code dirs} (as recorded in a container's
   * intent): {@code cgroup.kill} where a v2 directory has it, else each pid listed.
   */
  static void killAll(List<Path> dirs) {
    for (Path dir : dirs) {
      Path kill = dir.resolve("cgroup.kill");
      if (Files.exists(kill)) {
        try {
          write(kill, "1");
          continue;
        } catch (HostRuntimeException e) {
          // fall back to signalling each process
        }
      }
      for (int pid : pids(dir.resolve("cgroup.procs"))) {
        LibC.INSTANCE.kill(pid, LibC.SIGKILL);
      }
    }
  }

  /** Whether any process is still in any of {@code dirs}. */
  static boolean populated(List<Path> dirs) {
    for (Path dir : dirs) {
      Path events = dir.resolve("cgroup.events");
      if (Files.exists(events)
          ? CgroupV2.populatedFlag(dir)
          : !pids(dir.resolve("cgroup.procs")).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Kills everything in {@code dirs} and waits (up to 10 s) until they are empty. */
  static void killAndDrain(List<Path> dirs) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (populated(dirs) && System.nanoTime() < deadline) {
      killAll(dirs);
      sleepBriefly();
    }
  }

  /** Writes a control file; the message names the file and the value. */
  static void write(Path file, String value) throws HostRuntimeException {
    try {
      Files.writeString(
          file,
          value,
          StandardOpenOption.CREATE,
          StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "write cgroup file " + file + " = " + value.strip() + ": " + e.getMessage(), e);
    }
  }

  static List<Integer> pids(Path procsFile) {
    try {
      return Files.readAllLines(procsFile).stream()
          .filter(l -> !l.isBlank())
          .map(l -> Integer.parseInt(l.strip()))
          .toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  static void sleepBriefly() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
