package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides the host ports a container publishes: a requested port must be free (no other container
 * of this root publishes it, and binding it succeeds, so no host process listens on it); an
 * ephemeral port (0) is one the kernel hands out from its local port range, skipping ports other
 * containers publish.
 */
public final class HostPorts {

  private static final int EPHEMERAL_ATTEMPTS = 32;

  private HostPorts() {}

  /**
   * The requested mappings with ephemeral ports resolved, in order.
   *
   * @param published what the other containers of this root publish, by container id
   */
  static List<PortMapping> resolve(List<PortMapping> requested, List<Published> published)
      throws HostRuntimeException {
    List<Published> taken = new ArrayList<>(published);
    List<PortMapping> resolved = new ArrayList<>(requested.size());
    for (PortMapping port : requested) {
      PortMapping chosen = port.ephemeral() ? pickFree(port, taken) : checkFree(port, taken);
      resolved.add(chosen);
      taken.add(new Published(null, chosen));
    }
    return List.copyOf(resolved);
  }

  /** A mapping that a container already publishes ({@code containerId} null: this request). */
  record Published(String containerId, PortMapping port) {}

  private static PortMapping checkFree(PortMapping port, List<Published> taken)
      throws HostRuntimeException {
    Optional<Published> clash = clash(port, taken);
    if (clash.isPresent()) {
      String id = clash.get().containerId();
      throw inUse(port, id == null ? "requested twice" : "published by container " + id);
    }
    if (!bindable(port, port.hostPort())) {
      throw inUse(port, null);
    }
    return port;
  }

  private static PortMapping pickFree(PortMapping port, List<Published> taken)
      throws HostRuntimeException {
    for (int attempt = 0; attempt < EPHEMERAL_ATTEMPTS; attempt++) {
      PortMapping candidate = port.withHostPort(bindAny(port));
      if (clash(candidate, taken).isEmpty()) {
        return candidate;
      }
    }
    throw HostRuntimeException.conflict(
        "publish "
            + port.describe()
            + ": found no free host port in "
            + EPHEMERAL_ATTEMPTS
            + " tries");
  }

  private static Optional<Published> clash(PortMapping port, List<Published> taken) {
    return taken.stream().filter(p -> p.port().clashesWith(port)).findFirst();
  }

  private static HostRuntimeException inUse(PortMapping port, String by) {
    return HostRuntimeException.conflict(
        "publish "
            + port.describe()
            + ": host port "
            + port.hostPort()
            + " is already in use"
            + (by == null ? "" : " (" + by + ")"));
  }

  private static boolean bindable(PortMapping port, int number) throws HostRuntimeException {
    try {
      bind(port, number).close();
      return true;
    } catch (BindException e) {
      if (e.getMessage() != null && e.getMessage().contains("assign requested address")) {
        throw notLocal(port);
      }
      return false;
    } catch (IOException e) {
      throw HostRuntimeException.failed("publish " + port.describe() + ": " + e.getMessage(), e);
    }
  }

  /** Binds port 0 and returns the port the kernel chose. */
  private static int bindAny(PortMapping port) throws HostRuntimeException {
    try (Closeable socket = bind(port, 0)) {
      return socket instanceof ServerSocket s
          ? s.getLocalPort()
          : ((DatagramSocket) socket).getLocalPort();
    } catch (BindException e) {
      throw notLocal(port);
    } catch (IOException e) {
      throw HostRuntimeException.failed("publish " + port.describe() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Binds {@code port}'s host address and protocol on {@code number} (0: any free port), the way
   * Stamp checks that a host port is free before publishing it; the caller closes the socket.
   */
  public static Closeable bind(PortMapping port, int number) throws IOException {
    InetSocketAddress address = new InetSocketAddress(address(port), number);
    if (port.protocol().equals("udp")) {
      DatagramSocket socket = new DatagramSocket(null);
      try {
        socket.bind(address);
        return socket;
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    }
    ServerSocket socket = new ServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(address, 1);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static InetAddress address(PortMapping port) throws UnknownHostException {
    int value = Ipv4.parse(port.hostIp()).orElseThrow();
    return InetAddress.getByAddress(
        new byte[] {
          (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
        });
  }

  private static HostRuntimeException notLocal(PortMapping port) {
    return HostRuntimeException.badInput(
        "publish " + port.describe() + ": " + port.hostIp() + " is not an address of this host");
  }
}
