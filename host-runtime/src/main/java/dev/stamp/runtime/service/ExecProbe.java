package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.lb.Backend;
import dev.stamp.runtime.network.lb.HealthProbe;
import dev.stamp.runtime.network.lb.ProbeResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@code CMD} or {@code CMD-SHELL} health check (its argv, or {@code /bin/sh -c COMMAND}) run
 * inside the replica (its mount, UTS, IPC, network and pid namespaces and its root, through
 * util-linux's {@code nsenter}: a JVM cannot setns its own threads into another mount namespace).
 * Exit 0 is healthy; a command still running at the timeout is killed and counts as a failure.
 */
final class ExecProbe implements HealthProbe {

  static final String NSENTER = "nsenter";
  private static final int MAX_OUTPUT = 4096;

  private final HealthCheck check;
  private final Function<String, Optional<ProcessId>> pidOfAddress;

  private ExecProbe(HealthCheck check, Function<String, Optional<ProcessId>> pidOfAddress) {
    this.check = check;
    this.pidOfAddress = pidOfAddress;
  }

  /** The probe of a CMD or CMD-SHELL {@code check}; {@code pidOfAddress} finds the replica. */
  static ExecProbe of(HealthCheck check, Function<String, Optional<ProcessId>> pidOfAddress)
      throws HostRuntimeException {
    check.check("health check");
    if (!check.kind().inContainer()) {
      throw HostRuntimeException.badInput(
          "health check " + check.describe() + ": not a command (CMD or CMD-SHELL)");
    }
    return new ExecProbe(check, pidOfAddress);
  }

  /** nsenter into the process's namespaces and root, then the check's argv. */
  List<String> command(ProcessId pid) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                NSENTER,
                "-t",
                Integer.toString(pid.pid()),
                "-m",
                "-u",
                "-i",
                "-n",
                "-p",
                "-r",
                "-w",
                "--"));
    argv.addAll(check.argv());
    return argv;
  }

  @Override
  public ProbeResult probe(Backend backend, Duration timeout) {
    Instant start = Instant.now();
    long t0 = System.nanoTime();
    Optional<ProcessId> pid = pidOfAddress.apply(backend.address()).filter(ProcessId::isAlive);
    if (pid.isEmpty()) {
      return ProbeResult.failed("no running container at " + backend.address(), start, took(t0));
    }
    Process process = null;
    try {
      process =
          new ProcessBuilder(command(pid.get()))
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return ProbeResult.failed("timed out after " + timeout.toMillis() + " ms", start, took(t0));
      }
      String output = read(process.getInputStream());
      int code = process.exitValue();
      return code == 0
          ? ProbeResult.passed(output, start, took(t0))
          : ProbeResult.failed(
              "exit " + code + (output.isEmpty() ? "" : ": " + output), start, took(t0));
    } catch (IOException e) {
      return ProbeResult.failed("run " + NSENTER + ": " + e.getMessage(), start, took(t0));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ProbeResult.failed("interrupted", start, took(t0));
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  @Override
  public String describe() {
    return check.describe();
  }

  private static String read(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_OUTPUT);
    return new String(bytes, StandardCharsets.UTF_8).strip();
  }

  private static Duration took(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
