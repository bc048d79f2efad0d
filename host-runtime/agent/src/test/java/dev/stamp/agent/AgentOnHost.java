package dev.stamp.agent;

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
import dev.stamp.testkit.BusyboxRootfs;
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
import java.util.function.Predicate;

/**
 * The agent on this host for a root integration test: a state root under {@code tmp} with a bridge
 * of its own, a busybox image imported into its store, the engine and the HTTP API on 127.0.0.1
 * with a token, and a client. {@link #close} deletes every service through the API, removes what is
 * left and fails the test if the root left anything on the host.
 */
final class AgentOnHost implements AutoCloseable {

  final Path root;
  final String image;
  final EventLog events;
  final HostEngine engine;
  final AgentServer server;
  final AgentClient client;
  final ContainerRuntime runtime;
  final List<String> containersSeen = new ArrayList<>();

  private AgentOnHost(
      Path root,
      String image,
      EventLog events,
      HostEngine engine,
      AgentServer server,
      AgentClient client,
      ContainerRuntime runtime) {
    this.root = root;
    this.image = image;
    this.events = events;
    this.engine = engine;
    this.server = server;
    this.client = client;
    this.runtime = runtime;
  }

  static AgentOnHost start(Path tmp, String imageName) throws Exception {
    Path root = tmp.resolve("root");
    StampRoot stampRoot = new StampRoot(root);
    TestNetworks.Net net = TestNetworks.unique();
    NetworkManager.open(stampRoot)
        .saveNetwork(NetworkConfig.of("bridge", net.bridge(), net.subnet()));
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    String image =
        new RootfsImporter(ImageStore.open(stampRoot), Map.of())
            .importTar(
                BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar")),
                ImageReference.parse(imageName),
                List.of())
            .manifestDigest()
            .toString();
    Path token = tmp.resolve("token");
    Files.writeString(token, AgentApiTest.TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    AgentConfig config =
        new AgentConfig(
            stampRoot,
            "127.0.0.1",
            0,
            token,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of());
    EventLog events = new EventLog(Clock.systemUTC());
    AgentMetrics metrics = new AgentMetrics();
    HostEngine engine = HostEngine.open(config, events, metrics);
    AgentServer server = AgentServer.start(config, engine, events, metrics);
    return new AgentOnHost(
        root,
        image,
        events,
        engine,
        server,
        new AgentClient(server.uri(), AgentApiTest.TOKEN),
        ContainerRuntime.open(stampRoot));
  }

  /** Polls {@code name} until {@code done}; fails the test after 60 s with the last status. */
  ServiceStatus await(String name, Predicate<ServiceStatus> done, String what) throws Exception {
    return await(client, containersSeen, name, done, what);
  }

  void awaitGone(String name) throws Exception {
    awaitGone(client, name);
  }

  /** As {@link #await(String, Predicate, String)}, noting every replica seen in {@code seen}. */
  static ServiceStatus await(
      AgentClient client,
      List<String> seen,
      String name,
      Predicate<ServiceStatus> done,
      String what)
      throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    ServiceStatus last = null;
    while (System.currentTimeMillis() < deadline) {
      Optional<ServiceStatus> s = client.service(name);
      if (s.isPresent()) {
        last = s.get();
        s.get().replicas().forEach(r -> seen.add(r.container()));
        if (done.test(s.get())) {
          return s.get();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("service " + name + ": " + what + " never came; last " + last);
  }

  /** Waits up to 60 s until the agent no longer knows {@code name}. */
  static void awaitGone(AgentClient client, String name) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (client.service(name).isPresent()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("service " + name + " still there");
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      for (ServiceStatus s : client.services()) {
        client.deleteService(s.name());
        awaitGone(s.name());
      }
    } finally {
      server.close();
      engine.close();
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
