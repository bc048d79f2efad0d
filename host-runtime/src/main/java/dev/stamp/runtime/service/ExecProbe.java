package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ExecResult;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.network.lb.Backend;
import dev.stamp.runtime.network.lb.HealthProbe;
import dev.stamp.runtime.network.lb.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A {@code CMD} or {@code CMD-SHELL} health check (its argv, or {@code /bin/sh -c COMMAND}) run
 * inside the replica through {@link ReplicaExec} (the runtime's exec: the replica's cgroups,
 * namespaces, root and user). Exit 0 is healthy; a command still running at the timeout is killed
 * and counts as a failure.
 */
final class ExecProbe implements HealthProbe {

  private static final int MAX_OUTPUT = 4096;

  private final HealthCheck check;
  private final ReplicaExec exec;

  private ExecProbe(HealthCheck check, ReplicaExec exec) {
    this.check = check;
    this.exec = exec;
  }

  /** The probe of a CMD or CMD-SHELL {@code check}; {@code exec} reaches the replica. */
  static ExecProbe of(HealthCheck check, ReplicaExec exec) throws HostRuntimeException {
    check.check("health check");
    if (!check.kind().inContainer()) {
      throw HostRuntimeException.badInput(
          "health check " + check.describe() + ": not a command (CMD or CMD-SHELL)");
    }
    return new ExecProbe(check, exec);
  }

  /**
   * The probe of {@code check}: inside the replica through {@code exec} for CMD and CMD-SHELL, from
   * the host for HTTP and TCP, none (null) for NONE.
   */
  static HealthProbe forCheck(HealthCheck check, ReplicaExec exec) throws HostRuntimeException {
    return check.kind().inContainer() ? of(check, exec) : HealthProbe.fromHost(check);
  }

  @Override
  public ProbeResult probe(Backend backend, Duration timeout) {
    Instant start = Instant.now();
    long t0 = System.nanoTime();
    try {
      Optional<ExecResult> result = exec.exec(backend.address(), check.argv(), timeout);
      if (result.isEmpty()) {
        return ProbeResult.failed("no running container at " + backend.address(), start, took(t0));
      }
      ExecResult r = result.get();
      String output =
          (r.output().length() > MAX_OUTPUT ? r.output().substring(0, MAX_OUTPUT) : r.output())
              .strip();
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
    return check.describe();
  }

  private static Duration took(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
