package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.network.PortMapping;
import java.util.List;

/**
 * A published service: its front (host address, host port and protocol; the host port resolved when
 * 0 was asked for) and the backends new connections are spread over, in order. No backends:
 * connections to the front are refused.
 */
public record ServiceEndpoint(String name, PortMapping front, List<Backend> backends) {

  public ServiceEndpoint {
    backends = List.copyOf(backends);
  }
}
