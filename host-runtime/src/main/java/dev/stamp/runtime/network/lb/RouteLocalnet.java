package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Turns on {@code net.ipv4.conf.BRIDGE.route_localnet} for a Stamp bridge: without it the kernel
 * refuses to route a packet whose source is 127.0.0.1 out of a non-loopback device, which is what a
 * loopback client's connection is after the DNAT to a container (the masquerade in postrouting then
 * gives it the bridge's address). Only the bridge's own setting is touched, never {@code all}; it
 * stays on (CNI's portmap sets the same on the Stamp bridge).
 */
final class RouteLocalnet {

  private static final Path CONF = Path.of("/proc/sys/net/ipv4/conf");

  private RouteLocalnet() {}

  static void enable(String bridge) throws HostRuntimeException {
    Path setting = CONF.resolve(bridge).resolve("route_localnet");
    String action = "enable route_localnet on bridge " + bridge;
    try {
      if (!Files.readString(setting).strip().equals("1")) {
        Files.writeString(setting, "1");
      }
    } catch (NoSuchFileException e) {
      throw HostRuntimeException.failed(action + ": the bridge does not exist");
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
  }
}
