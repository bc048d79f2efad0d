package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;

/** The container runtime a CLI invocation works with (state root from --root / STAMP_ROOT). */
final class Runtimes {

  private Runtimes() {}

  static ContainerRuntime open(StampCli cli) throws HostRuntimeException {
    return ContainerRuntime.open(cli.root());
  }
}
