package dev.stamp.runtime.network.lb;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
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
 *
 * <p>{@code fronts}: the service's published ports, all switched by the same backend set (records
 * written before services had several ports carry one {@code front}, read as a list of one). A
 * backend's port is the first front's target; every other front reaches the same address on its own
 * container port. No fronts: the service has no kernel side at all (no rules, no table change); the
 * record then only keeps which replicas are in rotation, for the health monitor and replaces.
 */
record BalancedService(
    String name,
    @JsonAlias("front") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<PortMapping> fronts,
    List<Backend> backends,
    List<String> subnets,
    List<String> bridges,
    String state) {

  static final String PUBLISHING = "publishing";
  static final String PUBLISHED = "published";
  static final String UNPUBLISHING = "unpublishing";

  BalancedService {
    fronts = fronts == null ? List.of() : List.copyOf(fronts);
    backends = List.copyOf(backends);
    subnets = List.copyOf(subnets);
    bridges = List.copyOf(bridges);
  }

  BalancedService withState(String newState) {
    return new BalancedService(name, fronts, backends, subnets, bridges, newState);
  }

  BalancedService withBackends(ResolvedBackends resolved) {
    return new BalancedService(
        name, fronts, resolved.backends(), resolved.subnets(), resolved.bridges(), state);
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

  /** Whether the nftables table has rules for it: a service without fronts has none. */
  @JsonIgnore
  boolean inKernel() {
    return active() && !fronts.isEmpty();
  }

  /**
   * The port backend {@code b} is reached on through front {@code index}: its own for the first
   * front, the front's container port for the others.
   */
  int backendPort(Backend b, int index) {
    return index == 0 ? b.port() : fronts.get(index).containerPort();
  }

  ServiceEndpoint toEndpoint() {
    return new ServiceEndpoint(name, fronts, backends);
  }
}
