package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.network.HostPorts;
import dev.stamp.runtime.network.PortMapping;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;

/**
 * Decides a service's front port: a requested port must not be another service's front or a
 * container's published port in this root, and binding it must succeed (no host process listens on
 * it); port 0 takes a port the kernel hands out. Nothing holds the port afterwards (as with CNI's
 * portmap): the DNAT happens before any socket lookup.
 */
final class FrontPorts {

  private static final int EPHEMERAL_ATTEMPTS = 32;

  private FrontPorts() {}

  static PortMapping resolve(
      String action,
      PortMapping front,
      List<BalancedService> services,
      List<PortMapping> containers)
      throws HostRuntimeException {
    PortMapping valid = revalidate(action, front);
    if (!valid.ephemeral()) {
      refuseClash(action, valid, services, containers);
      if (!bindable(action, valid, valid.hostPort())) {
        throw HostRuntimeException.conflict(
            action + ": host port " + valid.hostPort() + " is already in use");
      }
      return valid;
    }
    for (int attempt = 0; attempt < EPHEMERAL_ATTEMPTS; attempt++) {
      PortMapping candidate = valid.withHostPort(bindAny(action, valid));
      if (clash(candidate, services, containers).isEmpty()) {
        return candidate;
      }
    }
    throw HostRuntimeException.conflict(
        action + ": found no free host port in " + EPHEMERAL_ATTEMPTS + " tries");
  }

  private static PortMapping revalidate(String action, PortMapping front)
      throws HostRuntimeException {
    if (front == null) {
      throw HostRuntimeException.badInput(action + ": no front port given");
    }
    try {
      return PortMapping.of(
          front.hostIp(), front.hostPort(), front.containerPort(), front.protocol());
    } catch (HostRuntimeException e) {
      throw HostRuntimeException.badInput(action + ": " + e.getMessage());
    }
  }

  private static void refuseClash(
      String action,
      PortMapping front,
      List<BalancedService> services,
      List<PortMapping> containers)
      throws HostRuntimeException {
    Optional<String> owner = clash(front, services, containers);
    if (owner.isPresent()) {
      throw HostRuntimeException.conflict(
          action
              + ": host port "
              + front.hostPort()
              + "/"
              + front.protocol()
              + " is already in use ("
              + owner.get()
              + ")");
    }
  }

  private static Optional<String> clash(
      PortMapping front, List<BalancedService> services, List<PortMapping> containers) {
    for (BalancedService service : services) {
      for (PortMapping taken : service.fronts()) {
        if (taken.clashesWith(front)) {
          return Optional.of("published by service " + service.name());
        }
      }
    }
    for (PortMapping port : containers) {
      if (port.clashesWith(front)) {
        return Optional.of("published by a container");
      }
    }
    return Optional.empty();
  }

  private static boolean bindable(String action, PortMapping front, int port)
      throws HostRuntimeException {
    try {
      bind(front, port).close();
      return true;
    } catch (BindException e) {
      if (e.getMessage() != null && e.getMessage().contains("assign requested address")) {
        throw notLocal(action, front);
      }
      return false;
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
  }

  private static int bindAny(String action, PortMapping front) throws HostRuntimeException {
    try (Closeable socket = bind(front, 0)) {
      return socket instanceof ServerSocket s
          ? s.getLocalPort()
          : ((DatagramSocket) socket).getLocalPort();
    } catch (BindException e) {
      throw notLocal(action, front);
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
  }

  private static Closeable bind(PortMapping front, int port) throws IOException {
    return HostPorts.bind(front, port);
  }

  private static HostRuntimeException notLocal(String action, PortMapping front) {
    return HostRuntimeException.badInput(
        action + ": " + front.hostIp() + " is not an address of this host");
  }
}
