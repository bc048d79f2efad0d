package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.util.regex.Pattern;

/**
 * One Stamp bridge network of a state root, kept in {@code ROOT/networks/NAME.json}: the Linux
 * bridge its containers' veths join and the subnet their addresses come from (the bridge takes the
 * first address as the gateway). The default network {@code bridge} of the default root ({@code
 * /var/lib/stamp}) is {@code stamp0}; any other root's is {@code stamp<8 hex of its path's
 * sha256>}, so several roots on one host (an agent beside a CLI user, parallel test runs) never
 * share, reconfigure or delete each other's bridge. Each root's default subnet is claimed host-wide
 * (see {@link SubnetClaims}).
 */
public record NetworkConfig(String name, String bridge, String subnet) {

  public static final String DEFAULT_BRIDGE = "stamp0";
  public static final String DEFAULT_SUBNET = "10.88.0.0/16";

  /** Linux interface names: at most 15 bytes, no '/', ':' or whitespace. */
  private static final Pattern BRIDGE_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}");

  /** A validated network; the subnet is normalised to its CIDR text. */
  public static NetworkConfig of(String name, String bridge, String subnet)
      throws HostRuntimeException {
    String action = "network " + name;
    if (name == null || !NetworkMode.NETWORK_NAME.matcher(name).matches()) {
      throw HostRuntimeException.badInput(
          "network \"" + name + "\": expected a name of letters, digits, '_', '.', '-'");
    }
    if (bridge == null || !BRIDGE_NAME.matcher(bridge).matches()) {
      throw HostRuntimeException.badInput(
          action
              + ": bridge \""
              + bridge
              + "\" is not an interface name (1-15 letters, digits, '_', '.', '-')");
    }
    if (subnet == null) {
      throw HostRuntimeException.badInput(action + ": no subnet given");
    }
    try {
      return new NetworkConfig(name, bridge, Subnet.parse(subnet).toString());
    } catch (HostRuntimeException e) {
      throw HostRuntimeException.badInput(action + ": " + e.getMessage());
    }
  }

  /** The default network: bridge {@code stamp0}, subnet {@code 10.88.0.0/16}. */
  public static NetworkConfig defaultNetwork() {
    return new NetworkConfig(NetworkMode.DEFAULT_NETWORK, DEFAULT_BRIDGE, DEFAULT_SUBNET);
  }

  /**
   * The default network's bridge for {@code root}: {@code stamp0} for {@code /var/lib/stamp}, else
   * {@code stamp} and the first 8 hex digits of the sha256 of the root's absolute path.
   */
  public static String defaultBridge(dev.stamp.runtime.StampRoot root) {
    java.nio.file.Path path = root.path().toAbsolutePath().normalize();
    if (path.equals(dev.stamp.runtime.StampRoot.DEFAULT)) {
      return DEFAULT_BRIDGE;
    }
    return "stamp" + dev.stamp.runtime.linux.Sha256.hex(path.toString()).substring(0, 8);
  }

  /** The address the bridge carries and containers route through. */
  public String gateway() {
    return parsedSubnet().gateway();
  }

  Subnet parsedSubnet() {
    return Subnet.parseTrusted(subnet);
  }
}
