package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceSpec;
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
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestNetworks;
import java.net.ServerSocket;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stamp agent} as its own process: served, killed with SIGKILL, restarted. */
@RequiresRoot
class AgentCliIT {

  static final String TOKEN = "agent-cli-it-token-0123456789";

  @TempDir Path tmp;
  Path root;
  Path token;
  String image;
  int apiPort;
  Process agent;
  AgentClient client;
  final List<String> containers = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    StampRoot stampRoot = new StampRoot(root);
    TestNetworks.Net net = TestNetworks.unique();
    NetworkManager.open(stampRoot)
        .saveNetwork(NetworkConfig.of("bridge", net.bridge(), net.subnet()));
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    image =
        new RootfsImporter(ImageStore.open(stampRoot), Map.of())
            .importTar(
                BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar")),
                ImageReference.parse("agent-cli-it/web:1"),
                List.of())
            .manifestDigest()
            .toString();
    token = tmp.resolve("token");
    Files.writeString(token, TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    apiPort = freePort();
    client = new AgentClient(URI.create("http://127.0.0.1:" + apiPort), TOKEN);
  }

  @AfterEach
  void tearDown() throws Exception {
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

  void startAgent() throws Exception {
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

  interface Check {
    boolean ok() throws Exception;
  }

  void waitFor(Check check, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!check.ok()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            what + " never came; agent log:\n" + Files.readString(tmp.resolve("agent.log")));
      }
      Thread.sleep(100);
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

  String page(int port) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                .timeout(Duration.ofSeconds(3))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body()
        .strip();
  }

  @Test
  void aKilledAgentLeavesItsServicesServingAndARestartedOneAdoptsThem() throws Exception {
    startAgent();
    int port = freePort();
    ServiceSpec spec =
        new ServiceSpec(
            image,
            List.of(
                "sh", "-c", "mkdir -p /w; echo live > /w/index.html; exec httpd -f -p 80 -h /w"),
            null,
            null,
            List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            new ServiceSpec.Healthcheck(
                List.of("HTTP", "/index.html"), "PT0.2S", "PT1S", 2, null, null),
            2,
            null,
            null,
            "PT1S",
            null);
    client.putService("web", spec);
    ServiceStatus before =
        awaitService("web", s -> "running".equals(s.state()) && s.observedGeneration() == 1);
    assertThat(before.replicas()).hasSize(2);
    assertThat(page(port)).isEqualTo("live");

    agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9
    for (int i = 0; i < 20; i++) {
      assertThat(page(port)).as("served with the agent dead").isEqualTo("live");
    }

    startAgent();
    ServiceStatus after =
        awaitService("web", s -> "running".equals(s.state()) && s.observedGeneration() == 1);
    assertThat(after.replicas())
        .extracting(ServiceStatus.Replica::container)
        .containsExactlyElementsOf(
            before.replicas().stream().map(ServiceStatus.Replica::container).toList());
    assertThat(client.putService("web", spec).changed()).isFalse();
    assertThat(page(port)).isEqualTo("live");
  }

  @Test
  void badFlagsAreOneLineAndExitTwo() throws Exception {
    var r =
        new StampCliProcess(root)
            .run("agent", "--listen", "127.0.0.1:99999", "--token-file", token.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--listen 127.0.0.1:99999").doesNotContain("Exception");
    Path loose = tmp.resolve("loose");
    Files.writeString(loose, TOKEN);
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
    r =
        new StampCliProcess(root)
            .run("agent", "--listen", "127.0.0.1:0", "--token-file", loose.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("chmod 600").doesNotContain("Exception");
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
