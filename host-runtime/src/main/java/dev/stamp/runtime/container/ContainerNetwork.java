package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PendingAttachment;
import dev.stamp.runtime.network.PortMapping;
import java.util.List;
import java.util.Optional;

/**
 * What the runtime needs from networking. {@link LocalNetworks} does {@code none} and {@code host};
 * the network module's NetworkManager, adapted, adds bridges.
 */
public interface ContainerNetwork {

  /** Parses {@code --network}. */
  NetworkMode parseMode(String text) throws HostRuntimeException;

  /** Parses one {@code -p} value (a range gives several mappings). */
  List<PortMapping> parsePorts(String text) throws HostRuntimeException;

  /** The mode when {@code --network} is not given. */
  NetworkMode defaultMode();

  /** Before the container's first process starts; the netns (if any) is what it joins. */
  NetworkAttachment attach(String containerId, NetworkMode mode, List<PortMapping> ports)
      throws HostRuntimeException;

  /**
   * {@link #attach} in two halves: the namespace file now, its connection ({@link
   * PendingAttachment#connect}, possibly on another thread) while the container is being built. The
   * caller connects it or detaches the container. By default all of it at once.
   */
  default PendingAttachment prepare(String containerId, NetworkMode mode, List<PortMapping> ports)
      throws HostRuntimeException {
    return PendingAttachment.of(attach(containerId, mode, ports));
  }

  /** Idempotent: fine when never attached or already detached. */
  void detach(String containerId) throws HostRuntimeException;

  /** The container's bridge attachment now (address, published ports resolved), if any. */
  default Optional<NetworkAttachment> attachment(String containerId) throws HostRuntimeException {
    return Optional.empty();
  }

  /** Every container attached to the bridge network {@code network}. */
  default List<NetworkAttachment> attachments(String network) throws HostRuntimeException {
    return List.of();
  }

  /** The text form {@link #parseMode} reads back (what config.json stores). */
  static String format(NetworkMode mode) {
    if (mode instanceof NetworkMode.None) {
      return "none";
    }
    if (mode instanceof NetworkMode.Host) {
      return "host";
    }
    return ((NetworkMode.Bridge) mode).network();
  }
}
