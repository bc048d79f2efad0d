package dev.stamp.runtime.container;

import dev.stamp.runtime.linux.Cgroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The processes of a container, as {@code stamp top} lists them: every pid in the container's
 * cgroup (host pids), with the user named from the container's own {@code /etc/passwd} (read
 * through {@code /proc/PID/root}), CPU time and command line from {@code /proc}.
 */
final class ContainerProcesses {

  /** Linux's USER_HZ on every architecture Stamp runs on: /proc's ticks per second. */
  private static final long TICKS_PER_SECOND = 100;

  private final Path proc;

  ContainerProcesses(Path proc) {
    this.proc = proc;
  }

  /** The processes in the cgroup made of {@code cgroupDirs}, by pid; empty when none is left. */
  static List<ContainerProcess> of(List<String> cgroupDirs) {
    return new ContainerProcesses(Path.of("/proc")).list(cgroupDirs);
  }

  List<ContainerProcess> list(List<String> cgroupDirs) {
    TreeSet<Integer> pids = new TreeSet<>();
    for (String dir : cgroupDirs) {
      pids.addAll(Cgroups.pids(Path.of(dir).resolve("cgroup.procs")));
    }
    Map<Integer, String> names = new HashMap<>();
    return pids.stream().flatMap(pid -> process(pid, names).stream()).toList();
  }

  private Optional<ContainerProcess> process(int pid, Map<Integer, String> names) {
    Path dir = proc.resolve(Integer.toString(pid));
    try {
      String stat = Files.readString(dir.resolve("stat"));
      String[] afterComm = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(afterComm[11]) + Long.parseLong(afterComm[12]); // utime, stime
      String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      int uid = uid(dir);
      String user = names.computeIfAbsent(uid, u -> userName(dir, u));
      return Optional.of(
          new ContainerProcess(
              pid, user, ticks * 1_000_000_000L / TICKS_PER_SECOND, command(dir, comm)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // exited while we looked
    }
  }

  private static int uid(Path dir) throws IOException {
    for (String line : Files.readAllLines(dir.resolve("status"))) {
      if (line.startsWith("Uid:")) {
        return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
      }
    }
    throw new IOException("no Uid in " + dir.resolve("status"));
  }

  private static String userName(Path dir, int uid) {
    try {
      for (String line : Files.readAllLines(dir.resolve("root/etc/passwd"))) {
        String[] f = line.split(":", -1);
        if (f.length > 2 && f[2].equals(Integer.toString(uid))) {
          return f[0];
        }
      }
    } catch (IOException | RuntimeException e) {
      // no passwd in the image: the number it is
    }
    return Integer.toString(uid);
  }

  private static String command(Path dir, String comm) throws IOException {
    byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
    if (raw.length == 0) {
      return "[" + comm + "]";
    }
    int end = raw[raw.length - 1] == 0 ? raw.length - 1 : raw.length;
    return new String(raw, 0, end, StandardCharsets.UTF_8).replace('\0', ' ');
  }
}
