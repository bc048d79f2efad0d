package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that backends are containers of this root: each address must be the bridge address of a
 * container attached through {@link NetworkManager}. Nothing else can be balanced to or probed, so
 * a published port can never route anywhere but to Stamp's own containers.
 */
final class BackendResolver {

  static final int MAX_BACKENDS = 64;

  private final NetworkManager net;

  BackendResolver(NetworkManager net) {
    this.net = net;
  }

  /**
   * The backends with port 0 replaced by {@code front}'s container port (kept 0 without a front: a
   * service that publishes no port), and where they live. BAD_INPUT for duplicates, too many
   * backends, or an address no container of this root has.
   */
  ResolvedBackends resolve(String action, PortMapping front, List<Backend> backends)
      throws HostRuntimeException {
    if (backends.size() > MAX_BACKENDS) {
      throw HostRuntimeException.badInput(
          action + ": " + backends.size() + " backends (at most " + MAX_BACKENDS + ")");
    }
    Map<String, NetworkConfig> byAddress = attachedAddresses();
    List<Backend> resolved = new ArrayList<>();
    LinkedHashSet<String> subnets = new LinkedHashSet<>();
    LinkedHashSet<String> bridges = new LinkedHashSet<>();
    for (Backend given : backends) {
      Backend backend =
          checked(
              action,
              given.port() == 0 && front != null ? given.withPort(front.containerPort()) : given);
      if (resolved.stream().anyMatch(backend::sameEndpoint)) {
        throw HostRuntimeException.badInput(
            action + ": backend " + backend.endpoint() + " is listed twice");
      }
      NetworkConfig network = byAddress.get(backend.address());
      if (network == null) {
        throw HostRuntimeException.badInput(
            action
                + ": backend "
                + backend.endpoint()
                + " is not the address of a container attached in this state root"
                + " (only Stamp's own containers can be backends)");
      }
      resolved.add(backend);
      subnets.add(network.subnet());
      bridges.add(network.bridge());
    }
    return new ResolvedBackends(resolved, List.copyOf(subnets), List.copyOf(bridges));
  }

  private static Backend checked(String action, Backend backend) throws HostRuntimeException {
    try {
      return Backend.of(backend.address(), backend.port(), backend.weight());
    } catch (HostRuntimeException e) {
      throw HostRuntimeException.badInput(action + ": " + e.getMessage());
    }
  }

  /** Bridge addresses of this root's attached containers, with their network. */
  private Map<String, NetworkConfig> attachedAddresses() throws HostRuntimeException {
    Map<String, NetworkConfig> networks = new HashMap<>();
    Map<String, NetworkConfig> byAddress = new HashMap<>();
    for (String id : net.containersWithNetworkState()) {
      Optional<NetworkAttachment> attachment = net.attachment(id);
      if (attachment.isEmpty()
          || attachment.get().ipAddress().isEmpty()
          || !(attachment.get().mode() instanceof NetworkMode.Bridge bridge)) {
        continue;
      }
      NetworkConfig network = networks.get(bridge.network());
      if (network == null) {
        network = net.network(bridge.network());
        networks.put(bridge.network(), network);
      }
      byAddress.put(attachment.get().ipAddress().get(), network);
    }
    return byAddress;
  }

  /** The host ports this root's containers publish (a front must not take one of them). */
  List<PortMapping> containerPorts() throws HostRuntimeException {
    List<PortMapping> ports = new ArrayList<>();
    for (String id : net.containersWithNetworkState()) {
      net.attachment(id).ifPresent(a -> ports.addAll(a.ports()));
    }
    return ports;
  }
}
