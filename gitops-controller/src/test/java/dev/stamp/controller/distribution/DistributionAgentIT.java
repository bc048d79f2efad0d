package dev.stamp.controller.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.AgentConfig;
import dev.stamp.agent.AgentMetrics;
import dev.stamp.agent.AgentServer;
import dev.stamp.agent.EventLog;
import dev.stamp.agent.HostEngine;
import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestNetworks;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One machine, no registry: a real agent (in this JVM, on a state root of its own, its pulls
 * presenting the pull password from {@code --registry-auth}) runs a service from {@code
 * 127.0.0.1:PORT/shop/web@sha256:…}, which it pulls from the controller's endpoint.
 */
@RequiresRoot
class DistributionAgentIT {

  static final String TOKEN = "distribution-it-token-0123456789";

  @TempDir Path tmp;

  @Test
  void anAgentRunsAServiceFromAnImageItPullsFromTheControllersEndpoint() throws Exception {
    Assumptions.assumeTrue(BusyboxRootfs.available(), "skipped: needs busybox-static");
    // the controller: a busybox image in its store, served with a pull password
    ImageStore controllerStore = ImageStore.open(new StampRoot(tmp.resolve("controller")));
    Image web =
        new RootfsImporter(controllerStore, Map.of())
            .importTar(
                BusyboxRootfs.tar(
                    BusyboxRootfs.create(tmp.resolve("rootfs")), tmp.resolve("rootfs.tar")),
                ImageReference.parse("shop/web:abc123"),
                List.of());
    PullSecret secret = PullSecret.generate();
    try (DistributionServer registry =
        DistributionServer.start(
            controllerStore, new InetSocketAddress("127.0.0.1", 0), PullAccess.password(secret))) {
      // the agent: its own root and bridge, the registry-auth file the controller hands out
      Path root = tmp.resolve("agent-root");
      StampRoot agentRoot = new StampRoot(root);
      TestNetworks.Net net = TestNetworks.unique();
      NetworkManager.open(agentRoot)
          .saveNetwork(NetworkConfig.of("bridge", net.bridge(), net.subnet()));
      Path token = ownerOnly(tmp.resolve("token"), TOKEN);
      Path auth =
          ownerOnly(
              tmp.resolve("registry-auth.json"), secret.dockerConfigJson(registry.registry()));
      AgentConfig config =
          new AgentConfig(
              agentRoot,
              "127.0.0.1",
              0,
              token,
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              List.of(),
              Optional.of(auth));
      EventLog events = new EventLog(Clock.systemUTC());
      AgentMetrics metrics = new AgentMetrics();
      HostEngine engine = HostEngine.open(config, events, metrics);
      AgentServer server = AgentServer.start(config, engine, events, metrics);
      AgentClient client = new AgentClient(server.uri(), TOKEN);
      List<String> containers = new ArrayList<>();
      try {
        String image = registry.registry() + "/shop/web@" + web.manifestDigest();
        int port = TestNetworks.freePort();
        client.putService("web", httpd(image, port));

        ServiceStatus running = await(client, containers, "web");

        assertThat(running.replicas()).hasSize(1);
        assertThat(get(port)).isEqualTo("served-from-the-controller");
        assertThat(ImageStore.open(agentRoot).resolve(image).configDigest())
            .isEqualTo(web.configDigest());
        assertThat(registry.stats().blobBytesSent())
            .isGreaterThanOrEqualTo(web.layers().get(0).size());
      } finally {
        try {
          for (ServiceStatus s : client.services()) {
            client.deleteService(s.name());
          }
          long deadline = System.currentTimeMillis() + 60_000;
          while (!client.services().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
          }
        } finally {
          server.close();
          engine.close();
          ContainerRuntime runtime = ContainerRuntime.open(agentRoot);
          for (ContainerInfo i : runtime.list(true)) {
            containers.add(i.id());
            runtime.remove(i.id(), true);
          }
          NetworkManager.open(agentRoot).removeNetwork("bridge");
          Path secrets = root.resolve("agent/secrets");
          if (Files.exists(secrets)) {
            new ProcessBuilder("umount", secrets.toString()).start().waitFor();
          }
          StateRootLeaks.assertNone(root, containers);
        }
      }
    }
  }

  static Path ownerOnly(Path file, String content) throws Exception {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  static ServiceSpec httpd(String image, int port) {
    return new ServiceSpec(
        image,
        List.of(
            "sh",
            "-c",
            "mkdir -p /w; echo served-from-the-controller > /w/index.html;"
                + " exec httpd -f -p 80 -h /w"),
        null,
        Map.of(),
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
        1,
        null,
        null,
        "PT1S",
        null);
  }

  /** Polls until the service runs generation 1; fails after 90 s with the last status. */
  static ServiceStatus await(AgentClient client, List<String> seen, String name) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    ServiceStatus last = null;
    while (System.currentTimeMillis() < deadline) {
      Optional<ServiceStatus> s = client.service(name);
      if (s.isPresent()) {
        last = s.get();
        s.get().replicas().forEach(r -> seen.add(r.container()));
        if (last.observedGeneration() == 1 && "running".equals(last.state())) {
          return last;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("service " + name + " never ran; last " + last);
  }

  static String get(int port) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                    .timeout(Duration.ofSeconds(3))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body().strip();
  }
}
