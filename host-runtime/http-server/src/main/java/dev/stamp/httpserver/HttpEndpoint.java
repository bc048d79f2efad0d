package dev.stamp.httpserver;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.http.Pem;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One Jetty 12 server with one connector, plain HTTP or TLS (and mTLS) from PEM files: what {@code
 * stamp agent}, the controller's API and its image endpoint each serve their handler with. The port
 * is bound when {@link #start} returns; a port someone else holds is a {@code CONFLICT}, any other
 * failure to start {@code FAILED} and retryable; a bad certificate or key is {@code BAD_INPUT}
 * naming the file.
 */
public final class HttpEndpoint implements AutoCloseable {

  /**
   * Certificate chain and PKCS#8 key (PEM) to serve HTTPS with; with {@code clientCa}, clients must
   * present a certificate that CA signed (mTLS).
   */
  public record Tls(Path cert, Path key, Optional<Path> clientCa) {
    public Tls {
      Objects.requireNonNull(cert, "cert");
      Objects.requireNonNull(key, "key");
      clientCa = clientCa == null ? Optional.empty() : clientCa;
    }

    /** HTTPS with no client certificates asked for. */
    public static Tls of(Path cert, Path key) {
      return new Tls(cert, key, Optional.empty());
    }
  }

  /**
   * Where and how to listen: {@code name} starts every error message ({@code "agent"}, {@code
   * "controller API"}); {@code threads} the request threads at most (event streams hold one each);
   * {@code dateHeader} whether responses carry {@code Date}.
   */
  public record Spec(
      String name, String host, int port, Optional<Tls> tls, int threads, boolean dateHeader) {
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(host, "host");
      tls = tls == null ? Optional.empty() : tls;
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(name + " port: 0 to 65535, got " + port);
      }
      if (threads < 8) {
        throw new IllegalArgumentException(name + " threads: at least 8, got " + threads);
      }
    }

    /** Plain HTTP on {@code host:port} with 64 threads and a Date header. */
    public static Spec plain(String name, String host, int port) {
      return new Spec(name, host, port, Optional.empty(), 64, true);
    }

    public Spec withTls(Optional<Tls> how) {
      return new Spec(name, host, port, how, threads, dateHeader);
    }

    public Spec withThreads(int count) {
      return new Spec(name, host, port, tls, count, dateHeader);
    }

    public Spec withoutDateHeader() {
      return new Spec(name, host, port, tls, threads, false);
    }

    private String where() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final boolean tls;

  private HttpEndpoint(Server server, ServerConnector connector, boolean tls) {
    this.server = server;
    this.connector = connector;
    this.tls = tls;
  }

  /** Serves {@code handler} as {@code spec} says. */
  public static HttpEndpoint start(Spec spec, Handler handler) throws HostRuntimeException {
    QueuedThreadPool threads = new QueuedThreadPool(spec.threads(), 4);
    threads.setName(spec.name().replace(' ', '-') + "-http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(spec.dateHeader());
    ServerConnector connector;
    if (spec.tls().isPresent()) {
      SslContextFactory.Server ssl = tlsContext(spec.name(), spec.tls().get());
      SecureRequestCustomizer customizer = new SecureRequestCustomizer();
      customizer.setSniHostCheck(false);
      http.addCustomizer(customizer);
      connector =
          new ServerConnector(
              server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    } else {
      connector = new ServerConnector(server, new HttpConnectionFactory(http));
    }
    connector.setHost(spec.host());
    connector.setPort(spec.port());
    server.addConnector(connector);
    server.setHandler(handler);
    server.setStopTimeout(2000);
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (boundElsewhere(e)) {
        throw HostRuntimeException.conflict(
            spec.name() + ": cannot listen on " + spec.where() + ": " + why);
      }
      throw new HostRuntimeException(
          StampException.Kind.FAILED,
          spec.name() + ": start the HTTP server on " + spec.where() + ": " + why,
          e,
          true);
    }
    return new HttpEndpoint(server, connector, spec.tls().isPresent());
  }

  private static SslContextFactory.Server tlsContext(String name, Tls how)
      throws HostRuntimeException {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    // the key store lives in memory only: a random password that nothing else ever sees
    char[] password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16)).toCharArray();
    KeyStore keys;
    try {
      keys = Pem.keyStore(how.cert(), how.key(), password);
      if (how.clientCa().isPresent()) {
        ssl.setTrustStore(Pem.trustStore(how.clientCa().get()));
        ssl.setNeedClientAuth(true);
      }
    } catch (HostRuntimeException e) {
      throw HostRuntimeException.wrap(name + " TLS", e);
    }
    ssl.setKeyStore(keys);
    ssl.setKeyStorePassword(new String(password));
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    return ssl;
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

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // stopping: nothing was serving, or nothing left to tell
    }
  }

  /** The bound port (the one chosen when port 0 was asked). */
  public int port() {
    return connector.getLocalPort();
  }

  /** The host the connector was asked to listen on. */
  public String host() {
    return connector.getHost();
  }

  public boolean tls() {
    return tls;
  }

  /** The address clients use: {@code http(s)://host:port/}, 127.0.0.1 for a wildcard bind. */
  public URI uri() {
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create((tls ? "https" : "http") + "://" + host + ":" + port() + "/");
  }

  public void join() throws InterruptedException {
    server.join();
  }

  /** Stops serving: open requests get the server's stop timeout (2 s) to finish. */
  @Override
  public void close() {
    stopQuietly(server);
  }
}
