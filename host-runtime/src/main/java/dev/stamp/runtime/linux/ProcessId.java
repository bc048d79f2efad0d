package dev.stamp.runtime.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process named without ambiguity: its pid plus its start time (field 22 of {@code
 * /proc/PID/stat}), so a pid reused by another process is never mistaken for it.
 */
public record ProcessId(int pid, long startTime) {

  /** The process now running as {@code pid}, if any. */
  public static Optional<ProcessId> of(int pid) {
    return startTimeOf(pid).map(start -> new ProcessId(pid, start));
  }

  /** Whether this very process still runs (a zombie has exited: it only waits to be reaped). */
  public boolean isAlive() {
    return pid > 0
        && stat(pid)
            .map(f -> Long.parseLong(f[19]) == startTime && !f[0].equals("Z"))
            .orElse(false);
  }

  static Optional<Long> startTimeOf(int pid) {
    return stat(pid).map(f -> Long.parseLong(f[19]));
  }

  /** The fields of /proc/PID/stat after the command name: [0] is the state, [19] the start time. */
  private static Optional<String[]> stat(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return Optional.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
