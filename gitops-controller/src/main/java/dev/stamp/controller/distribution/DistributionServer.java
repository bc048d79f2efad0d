package dev.stamp.controller.distribution;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

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

  private final Server server;
  private final ServerConnector connector;
  private final DistributionHandler handler;

  private DistributionServer(
      Server server, ServerConnector connector, DistributionHandler handler) {
    this.server = server;
    this.connector = connector;
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
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("controller-distribution");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(address.getHostAddress());
    connector.setPort(listen.getPort());
    server.addConnector(connector);
    DistributionHandler handler =
        new DistributionHandler(new StoreView(store), access, DistributionHandler.MAX_MAPPED);
    server.setHandler(handler);
    server.setStopTimeout(2000);
    String where = address.getHostAddress() + ":" + listen.getPort();
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // nothing was serving
      }
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (boundElsewhere(e)) {
        throw ControllerException.conflict(
            "distribution endpoint: cannot listen on " + where + ": " + why);
      }
      throw ControllerException.unavailable(
          "distribution endpoint: start the HTTP server on " + where + ": " + why, e);
    }
    return new DistributionServer(server, connector, handler);
  }

  private static boolean boundElsewhere(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  /** Where it listens, with the actual port when port 0 was asked. */
  public InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
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
    try {
      server.stop();
    } catch (Exception e) {
      // stopping: nothing left to tell
    }
  }
}
