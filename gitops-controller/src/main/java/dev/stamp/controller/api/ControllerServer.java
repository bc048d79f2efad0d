package dev.stamp.controller.api;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.http.BearerToken;
import dev.stamp.runtime.http.Pem;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code stamp controller}'s HTTP server: Jetty 12 with one connector (plain HTTP, or TLS from PEM
 * files) serving {@link ControllerApi} in front of the core's {@link ControllerOperations}.
 */
public final class ControllerServer implements AutoCloseable {

  /**
   * Where and how to serve: {@code tokenFile} holds the API's bearer token (mode 600); {@code
   * tlsCert} and {@code tlsKey} (PEM, PKCS#8 key) turn on HTTPS; {@code heartbeat} is the quiet
   * time after which an event stream sends a comment; {@code eventBuffer} the events queued per
   * stream before a slow reader is cut off; {@code maxStreams} the event streams open at once.
   */
  public record Config(
      String host,
      int port,
      Path tokenFile,
      Optional<Path> tlsCert,
      Optional<Path> tlsKey,
      Duration heartbeat,
      int eventBuffer,
      int maxStreams) {

    public Config {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(tokenFile, "tokenFile");
      tlsCert = tlsCert == null ? Optional.empty() : tlsCert;
      tlsKey = tlsKey == null ? Optional.empty() : tlsKey;
      heartbeat = heartbeat == null ? Duration.ofSeconds(15) : heartbeat;
    }

    /** Plain HTTP on {@code host:port}, 15 s heartbeats, 1024 events per stream, 32 streams. */
    public static Config of(String host, int port, Path tokenFile) {
      return new Config(host, port, tokenFile, Optional.empty(), Optional.empty(), null, 1024, 32);
    }

    public Config withTls(Path cert, Path key) {
      return new Config(
          host,
          port,
          tokenFile,
          Optional.of(cert),
          Optional.of(key),
          heartbeat,
          eventBuffer,
          maxStreams);
    }

    public Config withHeartbeat(Duration every) {
      return new Config(host, port, tokenFile, tlsCert, tlsKey, every, eventBuffer, maxStreams);
    }

    public Config withEventBuffer(int events) {
      return new Config(host, port, tokenFile, tlsCert, tlsKey, heartbeat, events, maxStreams);
    }

    public Config withMaxStreams(int streams) {
      return new Config(host, port, tokenFile, tlsCert, tlsKey, heartbeat, eventBuffer, streams);
    }

    void check() throws ControllerException {
      if (port < 0 || port > 65535) {
        throw ControllerException.badInput("controller API port: 0 to 65535, got " + port);
      }
      if (tlsCert.isPresent() != tlsKey.isPresent()) {
        throw ControllerException.badInput(
            "controller API TLS: give both a certificate and a key, or neither");
      }
      if (heartbeat.isNegative() || heartbeat.isZero()) {
        throw ControllerException.badInput("event heartbeat: must be positive, got " + heartbeat);
      }
      if (eventBuffer < 1 || maxStreams < 1) {
        throw ControllerException.badInput(
            "event streams: buffer and limit must be at least 1, got "
                + eventBuffer
                + " and "
                + maxStreams);
      }
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final ControllerApi api;
  private final boolean tls;

  private ControllerServer(
      Server server, ServerConnector connector, ControllerApi api, boolean tls) {
    this.server = server;
    this.connector = connector;
    this.api = api;
    this.tls = tls;
  }

  /** Starts serving {@code ops} as {@code config} says; the port is bound when this returns. */
  public static ControllerServer start(
      Config config, ControllerOperations ops, ControllerMetrics metrics)
      throws ControllerException {
    config.check();
    BearerToken token;
    try {
      token = BearerToken.fromFile(config.tokenFile());
    } catch (dev.stamp.runtime.HostRuntimeException e) {
      throw new ControllerException("controller API", e);
    }
    ControllerApi api =
        new ControllerApi(
            token, ops, metrics, config.heartbeat(), config.eventBuffer(), config.maxStreams());

    // each event stream holds a request thread: room for all of them and the other routes
    QueuedThreadPool threads = new QueuedThreadPool(64 + config.maxStreams(), 4);
    threads.setName("controller-http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector;
    boolean tls = config.tlsCert().isPresent();
    if (tls) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      char[] password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16)).toCharArray();
      KeyStore keys;
      try {
        keys = Pem.keyStore(config.tlsCert().get(), config.tlsKey().get(), password);
      } catch (dev.stamp.runtime.HostRuntimeException e) {
        throw new ControllerException("controller API TLS", e);
      }
      ssl.setKeyStore(keys);
      ssl.setKeyStorePassword(new String(password));
      ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
      SecureRequestCustomizer customizer = new SecureRequestCustomizer();
      customizer.setSniHostCheck(false);
      http.addCustomizer(customizer);
      connector =
          new ServerConnector(
              server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    } else {
      connector = new ServerConnector(server, new HttpConnectionFactory(http));
    }
    connector.setHost(config.host());
    connector.setPort(config.port());
    server.addConnector(connector);
    server.setHandler(api);
    server.setStopTimeout(2000);
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // nothing was serving
      }
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (e instanceof BindException || why.contains("Address already in use")) {
        throw ControllerException.conflict(
            "controller API: cannot listen on " + config.host() + ":" + config.port() + ": " + why);
      }
      throw ControllerException.failed(
          "controller API: start the HTTP server on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + why,
          e);
    }
    return new ControllerServer(server, connector, api, tls);
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** The address clients use: {@code http(s)://host:port/}, 127.0.0.1 for a wildcard bind. */
  public URI uri() {
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return URI.create((tls ? "https" : "http") + "://" + host + ":" + port() + "/");
  }

  public void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() {
    api.stopping();
    try {
      server.stop();
    } catch (Exception e) {
      // stopping: nothing left to tell
    }
  }
}
