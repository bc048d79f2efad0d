package dev.stamp.runtime.container;

import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.linux.ProcessWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The live state of a container, read from the files its shim writes ({@code state}: shim and
 * container pids with their start times; {@code exit}: exit code, time, start error) and /proc.
 */
public record ContainerState(
    ContainerStatus status,
    Optional<ProcessId> shim,
    Optional<ProcessId> process,
    Optional<Integer> exitCode,
    Optional<Long> startedAtNanos,
    Optional<Long> finishedAtNanos,
    Optional<String> error) {

  static ContainerState read(Path dir) {
    Map<String, String> state = keyValues(dir.resolve("state"));
    Map<String, String> exit = keyValues(dir.resolve("exit"));
    Optional<ProcessId> shim = process(state, "shimPid", "shimStart");
    Optional<ProcessId> process = process(state, "pid", "pidStart");
    Optional<Long> started = number(state, "startedAt");
    if (!exit.isEmpty()) {
      return new ContainerState(
          ContainerStatus.EXITED,
          shim,
          process,
          number(exit, "exitCode").map(Long::intValue),
          started,
          number(exit, "finishedAt"),
          Optional.ofNullable(exit.get("error")));
    }
    boolean shimAlive = shim.map(ProcessId::isAlive).orElse(false);
    ContainerStatus status;
    if (process.isPresent()) {
      status =
          process.get().isAlive() || shimAlive ? ContainerStatus.RUNNING : ContainerStatus.DEAD;
    } else if (shim.isPresent()) {
      status = shimAlive ? ContainerStatus.STARTING : ContainerStatus.DEAD;
    } else {
      status = ContainerStatus.CREATED;
    }
    return new ContainerState(
        status, shim, process, Optional.empty(), started, Optional.empty(), Optional.empty());
  }

  /** Waits until the shim has written the exit file (or is gone). */
  static void awaitExitFile(Path dir, ProcessId shim, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(dir.resolve("exit")) && shim.isAlive() && System.nanoTime() < deadline) {
      ProcessWatch.awaitExit(shim, Duration.ofMillis(5));
    }
  }

  private static Optional<ProcessId> process(Map<String, String> kv, String pid, String start) {
    Optional<Long> p = number(kv, pid);
    Optional<Long> s = number(kv, start);
    return p.isPresent() && s.isPresent()
        ? Optional.of(new ProcessId(p.get().intValue(), s.get()))
        : Optional.empty();
  }

  private static Optional<Long> number(Map<String, String> kv, String key) {
    try {
      return Optional.ofNullable(kv.get(key)).map(Long::parseLong);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static Map<String, String> keyValues(Path file) {
    Map<String, String> kv = new HashMap<>();
    if (!Files.exists(file)) {
      return kv; // cheaper than the exception, and the common case for "exit"
    }
    try {
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          kv.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    } catch (NoSuchFileException e) {
      return kv;
    } catch (IOException e) {
      return kv;
    }
    return kv;
  }
}
