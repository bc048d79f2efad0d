package dev.stamp.controller.distribution;

import dev.stamp.controller.ControllerException;
import dev.stamp.httpserver.HttpEndpoint;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The controller's read-only OCI distribution endpoint over its image store (see the package
 * documentation): agents pull {@code HOST:PORT/<app>/<service>@sha256:…} from it with Stamp's
 * registry client, or any OCI client (skopeo) can. Plain HTTP, one Jetty 12 connector.
 *
 * <pre>{@code
 * try (DistributionServer server =
 *     DistributionServer.start(store, new InetSocketAddress("127.0.0.1", 7701),
 *         PullAccess.password(secret))) {
 *   server.address(); // 127.0.0.1:7701
 * }
 * }</pre>
 */
public final class DistributionServer implements AutoCloseable {

  private final HttpEndpoint endpoint;
  private final DistributionHandler handler;

  private DistributionServer(HttpEndpoint endpoint, DistributionHandler handler) {
    this.endpoint = endpoint;
    this.handler = handler;
  }

  /**
   * Starts serving {@code store} on {@code listen} (port 0: any free port, see {@link #address()}).
   * BAD_INPUT when {@code access} is anonymous and {@code listen} is not a loopback address, or its
   * password file gives no password; CONFLICT when the port is taken; FAILED (retryable) when Jetty
   * cannot start otherwise.
   */
  public static DistributionServer start(
      ImageStore store, InetSocketAddress listen, PullAccess access) throws ControllerException {
    if (listen.isUnresolved()) {
      throw ControllerException.badInput(
          "distribution endpoint: cannot resolve listen address " + listen.getHostString());
    }
    InetAddress address = listen.getAddress();
    if (access.anonymous() && !address.isLoopbackAddress()) {
      throw ControllerException.badInput(
          "distribution endpoint: pulling without a password is only allowed on a loopback address,"
              + " not "
              + address.getHostAddress()
              + "; give agents the pull password or listen on 127.0.0.1");
    }
    access.current(); // a password file that cannot give a password fails here, not per request
    DistributionHandler handler =
        new DistributionHandler(new StoreView(store), access, DistributionHandler.MAX_MAPPED);
    try {
      HttpEndpoint endpoint =
          HttpEndpoint.start(
              HttpEndpoint.Spec.plain(
                      "distribution endpoint", address.getHostAddress(), listen.getPort())
                  .withoutDateHeader(),
              handler);
      return new DistributionServer(endpoint, handler);
    } catch (HostRuntimeException e) {
      // the endpoint's message already names the distribution endpoint and the address
      throw new ControllerException(e.kind(), e.getMessage(), e, e.retryable());
    }
  }

  /** Where it listens, with the actual port when port 0 was asked. */
  public InetSocketAddress address() {
    return new InetSocketAddress(endpoint.host(), endpoint.port());
  }

  /** {@code host:port}, the registry part of the references agents pull. */
  public String registry() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /**
   * What an agent is asked to pull for the image the store tags {@code tagged} (its manifest or
   * index {@code digest}): {@code ADVERTISE/<name>@sha256:…}, with {@code <name>} as this endpoint
   * serves it ({@code shop/web} for {@code shop/web:abc123}). {@code advertise} is {@code
   * host:port} as agents reach the endpoint.
   */
  public static String pullReference(String advertise, ImageReference tagged, Digest digest) {
    return advertise + "/" + tagged.familiarName() + "@" + digest;
  }

  /** Requests answered so far. */
  public DistributionStats stats() {
    return handler.stats();
  }

  @Override
  public void close() {
    endpoint.close();
  }
}
