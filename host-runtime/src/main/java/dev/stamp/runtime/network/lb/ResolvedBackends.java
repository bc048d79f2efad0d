package dev.stamp.runtime.network.lb;

import java.util.List;

/**
 * Backends checked against this root's container attachments, ports resolved, with the subnets and
 * bridges they live on (each listed once, in order of first use).
 */
record ResolvedBackends(List<Backend> backends, List<String> subnets, List<String> bridges) {

  ResolvedBackends {
    backends = List.copyOf(backends);
    subnets = List.copyOf(subnets);
    bridges = List.copyOf(bridges);
  }
}
