package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestNetworks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code stamp agent} as its own process for a test: a state root with a bridge of its own, a
 * busybox image in its store, a 0600 token file, a free API port and a client; {@link #start} runs
 * the agent (its output in {@code agent.log}); {@link #close} removes every service through the
 * API, stops the agent with SIGTERM, removes what is left and fails if the root left anything.
 */
final class StampAgentProcess implements AutoCloseable {

  /** Something to wait for. */
  interface Check {
    boolean ok() throws Exception;
  }

  final Path tmp;
  final Path root;
  final Path token;
  final String image;
  final int apiPort;
  final AgentClient client;
  final List<String> containers = new ArrayList<>();
  Process agent;
  private Duration patience = Duration.ofSeconds(90);
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private StampAgentProcess(
      Path tmp, Path root, Path token, String image, int apiPort, String key) {
    this.tmp = tmp;
    this.root = root;
    this.token = token;
    this.image = image;
    this.apiPort = apiPort;
    this.client = new AgentClient(URI.create("http://127.0.0.1:" + apiPort), key);
  }

  static StampAgentProcess prepare(Path tmp, String imageName, String tokenText) throws Exception {
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
    Files.writeString(token, tokenText);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    return new StampAgentProcess(tmp, root, token, image, TestNetworks.freePort(), tokenText);
  }

  /** Starts {@code stamp agent} and waits until it answers {@code /healthz}. */
  void start() throws Exception {
    agent =
        new StampCliProcess(root)
            .start(
                tmp.resolve("agent.log"),
                "agent",
                "--listen",
                "127.0.0.1:" + apiPort,
                "--token-file",
                token.toString());
    waitFor(client::healthy, "the agent answering /healthz");
  }

  /** How long {@link #waitFor} waits (90 s unless set). */
  StampAgentProcess patience(Duration value) {
    this.patience = value;
    return this;
  }

  /** Waits until {@code check} holds, at most {@link #patience}; fails with the agent's log. */
  void waitFor(Check check, String what) throws Exception {
    long deadline = System.currentTimeMillis() + patience.toMillis();
    while (!check.ok()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            what + " never came; agent log:\n" + Files.readString(tmp.resolve("agent.log")));
      }
      Thread.sleep(50);
    }
  }

  ServiceStatus awaitService(String name, Predicate<ServiceStatus> done) throws Exception {
    ServiceStatus[] last = new ServiceStatus[1];
    waitFor(
        () -> {
          last[0] = client.service(name).orElse(null);
          return last[0] != null && done.test(last[0]);
        },
        "service " + name + " state");
    last[0].replicas().forEach(r -> containers.add(r.container()));
    return last[0];
  }

  /** The body of {@code /index.html} on the published {@code port}; non-200 is an exception. */
  String page(int port) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                .timeout(Duration.ofSeconds(3))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + r.statusCode());
    }
    return r.body().strip();
  }

  @Override
  public void close() throws Exception {
    try {
      if (agent != null && agent.isAlive()) {
        for (ServiceStatus s : client.services()) {
          client.deleteService(s.name());
          waitFor(() -> client.service(s.name()).isEmpty(), "service " + s.name() + " removed");
        }
        agent.destroy(); // SIGTERM: a clean stop
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      if (agent != null) {
        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      ContainerRuntime runtime = ContainerRuntime.open(new StampRoot(root));
      for (ContainerInfo i : runtime.list(true)) {
        containers.add(i.id());
        runtime.remove(i.id(), true);
      }
      NetworkManager.open(new StampRoot(root)).removeNetwork("bridge");
      new ProcessBuilder("umount", root.resolve("agent/secrets").toString()).start().waitFor();
      StateRootLeaks.assertNone(root, containers);
    }
  }
}
