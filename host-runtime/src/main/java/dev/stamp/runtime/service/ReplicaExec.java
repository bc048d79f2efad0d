package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ExecResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a {@code cmd} health probe reaches a replica: by its bridge address, through {@link
 * ContainerRuntime#exec} (the one exec mechanism). Empty when no container has that address.
 */
@FunctionalInterface
public interface ReplicaExec {

  /** For specs that are only validated, never probed. */
  ReplicaExec NONE = (address, argv, timeout) -> Optional.empty();

  Optional<ExecResult> exec(String address, List<String> argv, Duration timeout)
      throws HostRuntimeException;
}
