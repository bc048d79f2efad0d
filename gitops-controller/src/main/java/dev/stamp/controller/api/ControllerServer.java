package dev.stamp.controller.api;

import dev.stamp.controller.ControllerException;
import dev.stamp.httpserver.HttpEndpoint;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.http.BearerToken;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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

  private final HttpEndpoint endpoint;
  private final ControllerApi api;

  private ControllerServer(HttpEndpoint endpoint, ControllerApi api) {
    this.endpoint = endpoint;
    this.api = api;
  }

  /** Starts serving {@code ops} as {@code config} says; the port is bound when this returns. */
  public static ControllerServer start(
      Config config, ControllerOperations ops, ControllerMetrics metrics)
      throws ControllerException {
    config.check();
    BearerToken token;
    try {
      token = BearerToken.fromFile(config.tokenFile());
    } catch (HostRuntimeException e) {
      throw new ControllerException("controller API", e);
    }
    ControllerApi api =
        new ControllerApi(
            token, ops, metrics, config.heartbeat(), config.eventBuffer(), config.maxStreams());
    Optional<HttpEndpoint.Tls> tls =
        config.tlsCert().map(cert -> HttpEndpoint.Tls.of(cert, config.tlsKey().get()));
    try {
      // each event stream holds a request thread: room for all of them and the other routes
      HttpEndpoint endpoint =
          HttpEndpoint.start(
              HttpEndpoint.Spec.plain("controller API", config.host(), config.port())
                  .withTls(tls)
                  .withThreads(64 + config.maxStreams()),
              api);
      return new ControllerServer(endpoint, api);
    } catch (HostRuntimeException e) {
      // the endpoint's message already names the controller API and the address
      throw new ControllerException(e.kind(), e.getMessage(), e, e.retryable());
    }
  }

  public int port() {
    return endpoint.port();
  }

  /** The address clients use: {@code http(s)://host:port/}, 127.0.0.1 for a wildcard bind. */
  public URI uri() {
    return endpoint.uri();
  }

  public void join() throws InterruptedException {
    endpoint.join();
  }

  @Override
  public void close() {
    api.stopping();
    endpoint.close();
  }
}
