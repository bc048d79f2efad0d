package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PendingAttachment;
import dev.stamp.runtime.network.PortMapping;
import java.util.List;
import java.util.Optional;

/**
 * Every network mode, bridges included, through the network module's {@link NetworkManager}: the
 * default is the {@code bridge} network, as with Docker.
 */
public final class BridgeNetworks implements ContainerNetwork {

  private final NetworkManager manager;

  public BridgeNetworks(NetworkManager manager) {
    this.manager = manager;
  }

  public NetworkManager manager() {
    return manager;
  }

  @Override
  public NetworkMode parseMode(String text) throws HostRuntimeException {
    return NetworkMode.parse(text);
  }

  @Override
  public List<PortMapping> parsePorts(String text) throws HostRuntimeException {
    return PortMapping.parseAll(text);
  }

  @Override
  public NetworkMode defaultMode() {
    return NetworkMode.defaultMode();
  }

  @Override
  public NetworkAttachment attach(String containerId, NetworkMode mode, List<PortMapping> ports)
      throws HostRuntimeException {
    return manager.attach(containerId, mode, ports);
  }

  @Override
  public PendingAttachment prepare(String containerId, NetworkMode mode, List<PortMapping> ports)
      throws HostRuntimeException {
    return manager.prepare(containerId, mode, ports);
  }

  @Override
  public void detach(String containerId) throws HostRuntimeException {
    manager.detach(containerId);
  }

  @Override
  public Optional<NetworkAttachment> attachment(String containerId) throws HostRuntimeException {
    return manager.attachment(containerId);
  }

  @Override
  public List<NetworkAttachment> attachments(String network) throws HostRuntimeException {
    return manager.attachments(network);
  }
}
