package dev.stamp.runtime.network.lb;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.stamp.runtime.HostRuntimeException;

/**
 * One replica behind a published service port: a container's IPv4 address on a Stamp bridge, the
 * port it listens on and its share of new connections ({@code weight} 1-100; a backend of weight 2
 * gets twice the connections of one of weight 1). Port 0 stands for "the front mapping's container
 * port" and is resolved when the backend is published.
 */
public record Backend(String address, int port, int weight) {

  public static final int DEFAULT_WEIGHT = 1;
  public static final int MAX_WEIGHT = 100;

  /** A validated backend. */
  public static Backend of(String address, int port, int weight) throws HostRuntimeException {
    Backend backend = new Backend(address, port, weight);
    String problem = null;
    if (address == null || !Addresses.isIpv4(address)) {
      problem = "address \"" + address + "\" is not an IPv4 address";
    } else if (port < 0 || port > 65535) {
      problem = "port " + port + " is out of range (1-65535, or 0 for the front's container port)";
    } else if (weight < 1 || weight > MAX_WEIGHT) {
      problem = "weight " + weight + " is out of range (1-" + MAX_WEIGHT + ")";
    }
    if (problem != null) {
      throw HostRuntimeException.badInput("backend " + backend.describe() + ": " + problem);
    }
    return backend;
  }

  /** A backend of weight 1. */
  public static Backend of(String address, int port) throws HostRuntimeException {
    return of(address, port, DEFAULT_WEIGHT);
  }

  /** A backend of weight 1 listening on the front mapping's container port. */
  public static Backend of(String address) throws HostRuntimeException {
    return of(address, 0, DEFAULT_WEIGHT);
  }

  /** {@code ADDRESS:PORT}, what identifies a backend whatever its weight. */
  @JsonIgnore
  public String endpoint() {
    return address + ":" + port;
  }

  /** {@code 10.88.0.2:8080}, with {@code (weight 3)} when the weight is not 1. */
  public String describe() {
    return endpoint() + (weight == DEFAULT_WEIGHT ? "" : " (weight " + weight + ")");
  }

  /** Whether both name the same address and port. */
  public boolean sameEndpoint(Backend other) {
    return address.equals(other.address) && port == other.port;
  }

  Backend withPort(int newPort) {
    return new Backend(address, newPort, weight);
  }
}
