package dev.stamp.cli;

import dev.stamp.agent.AgentConfig;
import dev.stamp.agent.AgentMetrics;
import dev.stamp.agent.AgentServer;
import dev.stamp.agent.EventLog;
import dev.stamp.agent.HostEngine;
import dev.stamp.runtime.HostRuntimeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stamp agent}: the daemon on a target host, serving the agent API until SIGTERM. */
@Command(
    name = "agent",
    description = {
      "Run the host agent: it turns desired services (PUT /v1/services/NAME) into running"
          + " containers by replacement only, and serves its API until SIGINT/SIGTERM.",
      "Containers keep serving when the agent stops or is killed; a restarted agent takes up"
          + " what it finds under the state root."
    })
final class AgentCommand extends StampCommand {

  @Option(
      names = "--listen",
      paramLabel = "[HOST:]PORT",
      defaultValue = "127.0.0.1:" + AgentConfig.DEFAULT_PORT,
      description = "Address to serve the API on (default: ${DEFAULT-VALUE}; loopback only).")
  String listen;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      required = true,
      description = "File holding the bearer token every API call must carry (mode 0600).")
  Path tokenFile;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM PKCS#8 private key.")
  Path tlsKey;

  @Option(
      names = "--client-ca",
      paramLabel = "FILE",
      description = "PEM CA certificates; clients must present a certificate they signed (mTLS).")
  Path clientCa;

  @Option(
      names = "--bind-root",
      paramLabel = "DIR",
      description = "Host directory bind volumes may come from (repeatable; none: no binds).")
  List<Path> bindRoots = List.of();

  @Option(
      names = "--registry-auth",
      paramLabel = "FILE",
      description =
          "Docker config.json with the credentials pulls present, e.g."
              + " {\"auths\":{\"127.0.0.1:7701\":{\"auth\":\"BASE64(stamp:PASSWORD)\"}}}"
              + " for the controller's registry (mode 0600; default: ~/.docker/config.json).")
  Path registryAuth;

  @Override
  public Integer call() throws HostRuntimeException, InterruptedException {
    String[] hostPort = AgentConfig.listen(listen);
    AgentConfig config =
        new AgentConfig(
            stamp.root(),
            hostPort[0],
            Integer.parseInt(hostPort[1]),
            tokenFile,
            Optional.ofNullable(tlsCert),
            Optional.ofNullable(tlsKey),
            Optional.ofNullable(clientCa),
            bindRoots,
            Optional.ofNullable(registryAuth));
    config.check();
    EventLog events = new EventLog(Clock.systemUTC());
    AgentMetrics metrics = new AgentMetrics();
    HostEngine engine = HostEngine.open(config, events, metrics);
    AgentServer server;
    try {
      server = AgentServer.start(config, engine, events, metrics);
    } catch (HostRuntimeException e) {
      engine.close();
      throw e;
    }
    // pull and push of this root, handed over by the launcher instead of starting a JVM each
    HandOff handOff = null;
    try {
      handOff = HandOff.start(config.root());
    } catch (HostRuntimeException e) {
      err().println("stamp agent: warning: no CLI hand-off: " + e.getMessage());
      err().flush();
    }
    HandOff served = handOff;
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGINT/SIGTERM: stop serving, stop reconciling; containers and published ports stay
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (served != null) {
                    served.close();
                  }
                  server.close();
                  engine.close();
                  stopped.countDown();
                },
                "agent-shutdown"));
    try {
      AgentOptions.write(stamp.root(), server.uri(), tokenFile);
    } catch (java.io.IOException e) {
      err()
          .println(
              "stamp agent: warning: cannot record the address for stamp up: " + e.getMessage());
    }
    PrintWriter out = out();
    out.println(
        "stamp agent: serving " + server.uri() + " (state root " + config.root().path() + ")");
    out.flush();
    stopped.await();
    return StampCli.EXIT_OK;
  }
}
