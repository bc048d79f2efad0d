package dev.stamp.agent;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.http.BearerToken;
import dev.stamp.runtime.http.Pem;
import java.net.URI;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code stamp agent}'s HTTP server: Jetty 12 with one connector (plain HTTP, or TLS from PEM
 * files, with client certificates required when a client CA is given) serving {@link AgentApi}.
 */
public final class AgentServer implements AutoCloseable {

  private final Server server;
  private final ServerConnector connector;
  private final AgentApi api;
  private final boolean tls;

  private AgentServer(Server server, ServerConnector connector, AgentApi api, boolean tls) {
    this.server = server;
    this.connector = connector;
    this.api = api;
    this.tls = tls;
  }

  /** Starts serving {@code engine} as {@code config} says; the port is bound when this returns. */
  public static AgentServer start(
      AgentConfig config, ServiceEngine engine, EventLog events, AgentMetrics metrics)
      throws HostRuntimeException {
    config.check();
    BearerToken token = BearerToken.fromFile(config.tokenFile());
    DesiredStore desired = new DesiredStore(config.root(), Clock.systemUTC());
    AgentApi api = new AgentApi(token, desired, engine, events, metrics);

    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("agent-http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector;
    boolean tls = config.tlsCert().isPresent();
    if (tls) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      char[] password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16)).toCharArray();
      KeyStore keys = Pem.keyStore(config.tlsCert().get(), config.tlsKey().get(), password);
      ssl.setKeyStore(keys);
      ssl.setKeyStorePassword(new String(password));
      ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
      if (config.clientCa().isPresent()) {
        ssl.setTrustStore(Pem.trustStore(config.clientCa().get()));
        ssl.setNeedClientAuth(true);
      }
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
      if (e instanceof java.net.BindException || why.contains("Address already in use")) {
        throw HostRuntimeException.conflict(
            "agent: cannot listen on " + config.host() + ":" + config.port() + ": " + why);
      }
      throw HostRuntimeException.failed(
          "agent: start the HTTP server on " + config.host() + ":" + config.port() + ": " + why, e);
    }
    return new AgentServer(server, connector, api, tls);
  }

  public int port() {
    return connector.getLocalPort();
  }

  public URI uri() {
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0")) {
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
