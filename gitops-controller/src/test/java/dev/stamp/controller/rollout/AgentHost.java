package dev.stamp.controller.rollout;

import dev.stamp.agent.AgentConfig;
import dev.stamp.agent.AgentMetrics;
import dev.stamp.agent.AgentServer;
import dev.stamp.agent.EventLog;
import dev.stamp.agent.HostEngine;
import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real agent in this JVM for a root integration test, as the agent's own ITs start one: a state
 * root of its own under {@code dir} with its own bridge, an image imported from a busybox rootfs
 * tar, the engine and the HTTP API on 127.0.0.1 with a token, and a {@link HostAgent} over its
 * client. {@link #close} deletes every service through the API and fails the test if the root left
 * anything on the host.
 */
public final class AgentHost implements AutoCloseable {

  public static final String TOKEN = "rollout-it-token-0123456789abcdef";

  public final String name;
  public final Path root;
  public final String image;
  final HostEngine engine;
  private final AgentConfig config;
  private final EventLog events;
  private final AgentMetrics metrics;
  private AgentServer server;
  public final AgentClient client;
  public final HostAgent host;
  final List<String> containersSeen = new ArrayList<>();

  private AgentHost(
      String name,
      Path root,
      String image,
      HostEngine engine,
      AgentConfig config,
      EventLog events,
      AgentMetrics metrics,
      AgentServer server,
      AgentClient client,
      Map<String, String> labels) {
    this.name = name;
    this.root = root;
    this.image = image;
    this.engine = engine;
    this.config = config;
    this.events = events;
    this.metrics = metrics;
    this.server = server;
    this.client = client;
    this.host = HostAgent.of(name, labels, client);
  }

  /** An agent on a fresh root under {@code dir}, {@code imageTar} imported as {@code imageName}. */
  public static AgentHost start(
      String name, Map<String, String> labels, Path dir, Path imageTar, String imageName)
      throws Exception {
    return start(name, labels, dir, imageTar, imageName, 0);
  }

  /**
   * The same, its API on {@code port} of 127.0.0.1 (0: any free one); a fixed port lets {@link
   * #startApi} serve again where {@link #stopApi} stopped.
   */
  public static AgentHost start(
      String name, Map<String, String> labels, Path dir, Path imageTar, String imageName, int port)
      throws Exception {
    Path root = dir.resolve("root");
    StampRoot stampRoot = new StampRoot(root);
    TestNetworks.Net net = TestNetworks.unique();
    NetworkManager.open(stampRoot)
        .saveNetwork(NetworkConfig.of("bridge", net.bridge(), net.subnet()));
    String image =
        new RootfsImporter(ImageStore.open(stampRoot), Map.of())
            .importTar(imageTar, ImageReference.parse(imageName), List.of())
            .manifestDigest()
            .toString();
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    AgentConfig config =
        new AgentConfig(
            stampRoot,
            "127.0.0.1",
            port,
            token,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of());
    EventLog events = new EventLog(Clock.systemUTC());
    AgentMetrics metrics = new AgentMetrics();
    HostEngine engine = HostEngine.open(config, events, metrics);
    AgentServer server = AgentServer.start(config, engine, events, metrics);
    return new AgentHost(
        name,
        root,
        image,
        engine,
        config,
        events,
        metrics,
        server,
        new AgentClient(server.uri(), TOKEN),
        labels);
  }

  /**
   * Stops the agent's HTTP API (its containers keep running): to a controller the host is
   * unreachable, as when the agent process is down.
   */
  public void stopApi() {
    server.close();
  }

  /** Serves the API again on the same port (after {@link #stopApi}). */
  public void startApi() throws Exception {
    server = AgentServer.start(config, engine, events, metrics);
  }

  /** The containers of {@code agentName} now (noted for the leak check). */
  public List<String> containers(String agentName) throws Exception {
    List<String> ids =
        client.service(agentName).orElseThrow().replicas().stream()
            .map(ServiceStatus.Replica::container)
            .toList();
    containersSeen.addAll(ids);
    return ids;
  }

  @Override
  public void close() throws Exception {
    try {
      for (ServiceStatus s : client.services()) {
        s.replicas().forEach(r -> containersSeen.add(r.container()));
        client.deleteService(s.name());
      }
      long deadline = System.currentTimeMillis() + 60_000;
      while (!client.services().isEmpty()) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("host " + name + ": services left " + client.services());
        }
        Thread.sleep(100);
      }
    } finally {
      server.close();
      engine.close();
      ContainerRuntime runtime = ContainerRuntime.open(new StampRoot(root));
      for (ContainerInfo i : runtime.list(true)) {
        containersSeen.add(i.id());
        runtime.remove(i.id(), true);
      }
      NetworkManager.open(new StampRoot(root)).removeNetwork("bridge");
      Path secrets = root.resolve("agent/secrets");
      if (Files.exists(secrets)) {
        new ProcessBuilder("umount", secrets.toString()).start().waitFor();
      }
      StateRootLeaks.assertNone(root, containersSeen);
    }
  }
}
