package dev.stamp.runtime.network;

/**
 * How a container is networked: {@code none} (its own network namespace with loopback only), {@code
 * host} (the host's namespace), or a Stamp bridge network (its own namespace, a veth on the bridge,
 * an address from the network's subnet). Parsed from {@code --network}.
 */
public sealed interface NetworkMode {

  /** A fresh network namespace with only loopback, created by the container's first process. */
  record None() implements NetworkMode {}

  /** The host's network namespace. */
  record Host() implements NetworkMode {}

  /** A Stamp bridge network; {@code "bridge"} is the default network. */
  record Bridge(String network) implements NetworkMode {}
}
