package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.util.regex.Pattern;

/**
 * How a container is networked: {@code none} (its own network namespace with loopback only), {@code
 * host} (the host's namespace), or a Stamp bridge network (its own namespace, a veth on the bridge,
 * an address from the network's subnet). Parsed from {@code --network}.
 */
public sealed interface NetworkMode {

  /** The name of the default bridge network ({@code --network bridge}, or no flag at all). */
  String DEFAULT_NETWORK = "bridge";

  /** What a network name may look like: it names a file under the root and a CNI network. */
  Pattern NETWORK_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");

  /** A fresh network namespace with only loopback, created by the container's first process. */
  record None() implements NetworkMode {
    @Override
    public String flagValue() {
      return "none";
    }
  }

  /** The host's network namespace. */
  record Host() implements NetworkMode {
    @Override
    public String flagValue() {
      return "host";
    }
  }

  /** A Stamp bridge network; {@code "bridge"} is the default network. */
  record Bridge(String network) implements NetworkMode {
    @Override
    public String flagValue() {
      return network;
    }
  }

  /** The value {@code --network} takes to select this mode. */
  String flagValue();

  /** The default: the {@code bridge} network. */
  static NetworkMode defaultMode() {
    return new Bridge(DEFAULT_NETWORK);
  }

  /**
   * Parses {@code --network}: {@code none}, {@code host}, {@code bridge} (the default network) or
   * the name of another Stamp bridge network.
   */
  static NetworkMode parse(String value) throws HostRuntimeException {
    if (value == null || value.isEmpty()) {
      throw HostRuntimeException.badInput(
          "--network \"\": expected none, host, bridge or a network name");
    }
    switch (value) {
      case "none":
        return new None();
      case "host":
        return new Host();
      default:
        break;
    }
    if (value.startsWith("container:")) {
      throw HostRuntimeException.badInput(
          "--network " + value + ": sharing another container's network is not supported");
    }
    if (!NETWORK_NAME.matcher(value).matches()) {
      throw HostRuntimeException.badInput(
          "--network "
              + value
              + ": expected none, host, bridge or a network name"
              + " (letters, digits, '_', '.', '-'; at most 63 characters)");
    }
    return new Bridge(value);
  }
}
