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

  /** Whether this very process still exists (a zombie counts until it is reaped). */
  public boolean isAlive() {
    return pid > 0 && startTimeOf(pid).map(s -> s == startTime).orElse(false);
  }

  static Optional<Long> startTimeOf(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(Long.parseLong(fields[19]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
