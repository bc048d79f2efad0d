package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.network.PortMapping;
import java.util.List;

/**
 * A published service: its fronts (host address, host port and protocol each; host ports resolved
 * when 0 was asked for), all switched together, and the backends new connections are spread over,
 * in order (a backend's port is the first front's target; the other fronts go to the same address
 * on their own container port). No backends: connections to the fronts are refused. No fronts: a
 * service with no published port, whose backends are only its rotation.
 */
public record ServiceEndpoint(String name, List<PortMapping> fronts, List<Backend> backends) {

  public ServiceEndpoint {
    fronts = List.copyOf(fronts);
    backends = List.copyOf(backends);
  }

  /** The first front: the one backends' ports belong to. Empty for a service with none. */
  public java.util.Optional<PortMapping> front() {
    return fronts.stream().findFirst();
  }
}
