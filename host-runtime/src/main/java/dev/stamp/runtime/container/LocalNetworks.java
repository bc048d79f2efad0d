package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import java.util.List;
import java.util.Optional;

/**
 * The networks that need no network manager: {@code none} (the container's first process creates
 * its own namespace with loopback only) and {@code host}. Bridges arrive with the network module.
 */
public final class LocalNetworks implements ContainerNetwork {

  @Override
  public NetworkMode parseMode(String text) throws HostRuntimeException {
    return switch (text) {
      case "none" -> new NetworkMode.None();
      case "host" -> new NetworkMode.Host();
      default -> {
        if (!text.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
          throw HostRuntimeException.badInput("--network " + text + ": not a network name");
        }
        yield new NetworkMode.Bridge(text);
      }
    };
  }

  @Override
  public List<PortMapping> parsePorts(String text) throws HostRuntimeException {
    throw HostRuntimeException.badInput(
        "-p " + text + ": publishing ports needs a bridge network, not available in this build");
  }

  @Override
  public NetworkMode defaultMode() {
    return new NetworkMode.None();
  }

  @Override
  public NetworkAttachment attach(String containerId, NetworkMode mode, List<PortMapping> ports)
      throws HostRuntimeException {
    if (mode instanceof NetworkMode.Bridge b) {
      throw HostRuntimeException.notFound(
          "network " + b.network() + ": no such network (this build has none and host)");
    }
    return new NetworkAttachment(
        containerId, mode, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
  }

  @Override
  public void detach(String containerId) {}
}
