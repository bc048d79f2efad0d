package dev.stamp.agent;

import dev.stamp.httpserver.HttpEndpoint;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.http.BearerToken;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code stamp agent}'s HTTP server: Jetty 12 with one connector (plain HTTP, or TLS from PEM
 * files, with client certificates required when a client CA is given) serving {@link AgentApi}.
 */
public final class AgentServer implements AutoCloseable {

  private final HttpEndpoint endpoint;
  private final AgentApi api;

  private AgentServer(HttpEndpoint endpoint, AgentApi api) {
    this.endpoint = endpoint;
    this.api = api;
  }

  /** Starts serving {@code engine} as {@code config} says; the port is bound when this returns. */
  public static AgentServer start(
      AgentConfig config, ServiceEngine engine, EventLog events, AgentMetrics metrics)
      throws HostRuntimeException {
    config.check();
    BearerToken token = BearerToken.fromFile(config.tokenFile());
    DesiredStore desired = new DesiredStore(config.root(), Clock.systemUTC());
    AgentApi api = new AgentApi(token, desired, engine, events, metrics);
    Optional<HttpEndpoint.Tls> tls =
        config
            .tlsCert()
            .map(cert -> new HttpEndpoint.Tls(cert, config.tlsKey().get(), config.clientCa()));
    HttpEndpoint endpoint =
        HttpEndpoint.start(
            HttpEndpoint.Spec.plain("agent", config.host(), config.port()).withTls(tls), api);
    return new AgentServer(endpoint, api);
  }

  public int port() {
    return endpoint.port();
  }

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
