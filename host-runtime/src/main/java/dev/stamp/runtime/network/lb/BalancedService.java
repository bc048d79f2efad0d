package dev.stamp.runtime.network.lb;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.stamp.runtime.network.PortMapping;
import java.util.List;

/**
 * What Stamp wrote down about one published service, in {@code ROOT/lb/services/NAME.json}: the
 * desired state the nftables table is generated from. {@code subnets} and {@code bridges} are where
 * the backends live (for the hairpin masquerade and {@code route_localnet}). Written with state
 * {@code publishing} before the table changes, {@code published} once it did; {@code unpublishing}
 * marks a service the table must no longer carry, so an unpublish killed halfway is finished by the
 * next one and never resurrected by another service's update.
 */
record BalancedService(
    String name,
    PortMapping front,
    List<Backend> backends,
    List<String> subnets,
    List<String> bridges,
    String state) {

  static final String PUBLISHING = "publishing";
  static final String PUBLISHED = "published";
  static final String UNPUBLISHING = "unpublishing";

  BalancedService {
    backends = List.copyOf(backends);
    subnets = List.copyOf(subnets);
    bridges = List.copyOf(bridges);
  }

  BalancedService withState(String newState) {
    return new BalancedService(name, front, backends, subnets, bridges, newState);
  }

  BalancedService withBackends(ResolvedBackends resolved) {
    return new BalancedService(
        name, front, resolved.backends(), resolved.subnets(), resolved.bridges(), state);
  }

  /** Whether the nftables table carries this service (an intent counts; an unpublish does not). */
  @JsonIgnore
  boolean active() {
    return !UNPUBLISHING.equals(state);
  }

  @JsonIgnore
  boolean complete() {
    return PUBLISHED.equals(state);
  }

  ServiceEndpoint toEndpoint() {
    return new ServiceEndpoint(name, front, backends);
  }
}
