package dev.stamp.runtime.container;

/**
 * What {@link ContainerRuntime#exec} returns: the command's exit code (128+N when killed by signal
 * N; -1 when it was killed at the timeout), its combined stdout and stderr (the first bytes only,
 * see {@link ContainerRuntime#exec}), and whether it ran past the timeout.
 */
public record ExecResult(int exitCode, String output, boolean timedOut) {

  public boolean succeeded() {
    return !timedOut && exitCode == 0;
  }
}
