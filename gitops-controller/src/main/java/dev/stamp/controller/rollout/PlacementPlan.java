package dev.stamp.controller.rollout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each service's replicas go: per service, per host, how many (0: none on that host). Hosts
 * are in the order the rollout was given them.
 */
public record PlacementPlan(Map<String, Map<String, Integer>> replicas) {

  public PlacementPlan {
    Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
    replicas.forEach(
        (service, hosts) ->
            copy.put(service, Collections.unmodifiableMap(new LinkedHashMap<>(hosts))));
    replicas = Collections.unmodifiableMap(copy);
  }

  /** How many replicas of {@code service} run on {@code host}; 0 when none. */
  public int replicas(String service, String host) {
    return replicas.getOrDefault(service, Map.of()).getOrDefault(host, 0);
  }

  /** The hosts that run {@code service} (at least one replica), in host order. */
  public List<String> hosts(String service) {
    List<String> out = new ArrayList<>();
    replicas
        .getOrDefault(service, Map.of())
        .forEach(
            (h, n) -> {
              if (n > 0) {
                out.add(h);
              }
            });
    return out;
  }
}
