package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ExecResult;
import dev.stamp.runtime.network.lb.Backend;
import dev.stamp.runtime.network.lb.HealthProbe;
import dev.stamp.runtime.network.lb.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A Compose {@code CMD-SHELL} health test: {@code /bin/sh -c COMMAND} inside the replica, through
 * {@link ReplicaExec} (the runtime's exec: the replica's cgroups, namespaces, root and user). Exit
 * 0 is healthy; a command still running at the timeout is killed and counts as a failure.
 */
final class ExecProbe implements HealthProbe {

  private static final int MAX_OUTPUT = 4096;

  private final String command;
  private final ReplicaExec exec;

  private ExecProbe(String command, ReplicaExec exec) {
    this.command = command;
    this.exec = exec;
  }

  static ExecProbe of(String command, ReplicaExec exec) throws HostRuntimeException {
    if (command == null || command.isBlank() || command.indexOf('\0') >= 0) {
      throw HostRuntimeException.badInput("--health-cmd \"" + command + "\": give a command");
    }
    return new ExecProbe(command, exec);
  }

  @Override
  public ProbeResult probe(Backend backend, Duration timeout) {
    Instant start = Instant.now();
    long t0 = System.nanoTime();
    try {
      Optional<ExecResult> result =
          exec.exec(backend.address(), List.of("/bin/sh", "-c", command), timeout);
      if (result.isEmpty()) {
        return ProbeResult.failed("no running container at " + backend.address(), start, took(t0));
      }
      ExecResult r = result.get();
      String output =
          r.output().length() > MAX_OUTPUT ? r.output().substring(0, MAX_OUTPUT) : r.output();
      if (r.timedOut()) {
        return ProbeResult.failed("timed out after " + timeout.toMillis() + " ms", start, took(t0));
      }
      return r.exitCode() == 0
          ? ProbeResult.passed(output, start, took(t0))
          : ProbeResult.failed(
              "exit " + r.exitCode() + (output.isEmpty() ? "" : ": " + output), start, took(t0));
    } catch (HostRuntimeException e) {
      return ProbeResult.failed(e.getMessage(), start, took(t0));
    }
  }

  @Override
  public String describe() {
    return "cmd \"" + command + "\"";
  }

  private static Duration took(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
