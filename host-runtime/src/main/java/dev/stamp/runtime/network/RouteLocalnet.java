package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code net.ipv4.conf.BRIDGE.route_localnet} of a Stamp bridge: without it the kernel refuses to
 * route a packet whose source is 127.0.0.1 out of a non-loopback device, which is what a loopback
 * client's connection is after the DNAT to a container (the masquerade in postrouting then gives it
 * the bridge's address). Only the bridge's own setting is touched, never {@code all}; it stays on
 * (CNI's portmap sets the same on the Stamp bridge). With it on, the kernel also accepts packets
 * for 127.0.0.0/8 arriving on the bridge: only {@link LoopbackGuard#enableRouteLocalnet} turns it
 * on, after the guard that drops those.
 */
final class RouteLocalnet {

  private static final Path CONF = Path.of("/proc/sys/net/ipv4/conf");

  private RouteLocalnet() {}

  static void enable(String bridge) throws HostRuntimeException {
    Path setting = setting(bridge);
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

  /** Whether the bridge exists with route_localnet on (a missing or unreadable one: false). */
  static boolean isOn(String bridge) {
    try {
      return Files.readString(setting(bridge)).strip().equals("1");
    } catch (IOException e) {
      return false;
    }
  }

  private static Path setting(String bridge) {
    return CONF.resolve(bridge).resolve("route_localnet");
  }
}
