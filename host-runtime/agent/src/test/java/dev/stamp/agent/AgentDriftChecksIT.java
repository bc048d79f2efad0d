package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.AgentException;
import dev.stamp.agent.api.Problem;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ExecOptions;
import dev.stamp.runtime.container.ExecResult;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift per replica in {@code GET /v1/services/{name}}, and the checks a PUT passes before its
 * desired record is written (port taken: 409; image, bind source, secret file: 422).
 */
@RequiresRoot
class AgentDriftChecksIT {

  @TempDir Path tmp;
  Path root;
  Path binds;
  String image;
  HostEngine engine;
  AgentServer server;
  AgentClient client;
  ContainerRuntime runtime;
  final List<String> containersSeen = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    root = tmp.resolve("root");
    binds = Files.createDirectories(tmp.resolve("binds"));
    StampRoot stampRoot = new StampRoot(root);
    TestNetworks.Net net = TestNetworks.unique();
    NetworkManager.open(stampRoot)
        .saveNetwork(NetworkConfig.of("bridge", net.bridge(), net.subnet()));
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    Path tar = BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar"));
    Image imported =
        new RootfsImporter(ImageStore.open(stampRoot), Map.of())
            .importTar(tar, ImageReference.parse("agent-test/web:1"), List.of());
    image = imported.manifestDigest().toString();
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
            List.of(binds));
    EventLog events = new EventLog(Clock.systemUTC());
    AgentMetrics metrics = new AgentMetrics();
    engine = HostEngine.open(config, events, metrics);
    server = AgentServer.start(config, engine, events, metrics);
    client = new AgentClient(server.uri(), AgentApiTest.TOKEN);
    runtime = ContainerRuntime.open(stampRoot);
  }

  @AfterEach
  void nothingLeft() throws Exception {
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

  ServiceSpec web(
      int port, List<ServiceSpec.Volume> volumes, List<ServiceSpec.Secret> secrets, String img) {
    return new ServiceSpec(
        img,
        List.of("sh", "-c", "echo page > /w/index.html; exec httpd -f -p 80 -h /w"),
        null,
        null,
        List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")),
        volumes,
        secrets,
        null,
        null,
        null,
        null,
        null,
        null,
        1,
        null,
        null,
        "PT1S",
        null);
  }

  static List<ServiceSpec.Volume> pages() {
    return List.of(new ServiceSpec.Volume("volume", "pages", "/w", null));
  }

  ServiceStatus await(String name, Predicate<ServiceStatus> done, String what) throws Exception {
    return AgentOnHost.await(client, containersSeen, name, done, what);
  }

  void awaitGone(String name) throws Exception {
    AgentOnHost.awaitGone(client, name);
  }

  ServiceStatus running(String name) throws Exception {
    return await(name, s -> "running".equals(s.state()), "running");
  }

  void exec(String container, String script) throws Exception {
    ExecResult r = runtime.exec(container, List.of("sh", "-c", script), Duration.ofSeconds(10));
    assertThat(r.succeeded()).as("%s: %s", script, r.output()).isTrue();
  }

  @Test
  void aReplicaEditedThroughExecIsReportedDriftedAndAVolumeWriteIsNot() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "value");
    client.putService(
        "web",
        web(
            dev.stamp.testkit.TestNetworks.freePort(),
            pages(),
            List.of(new ServiceSpec.Secret("token", secret.toString())),
            image));
    ServiceStatus.Replica fresh = running("web").replicas().get(0);
    assertThat(fresh.drifted()).as("a fresh replica (volume, secret, /etc files)").isFalse();
    assertThat(fresh.driftPaths()).isNull();
    assertThat(fresh.execAt()).isNull();
    String id = fresh.container();

    exec(id, "echo more >> /w/index.html && cat /run/secrets/token > /dev/null");
    ServiceStatus.Replica afterVolumeWrite = client.service("web").orElseThrow().replicas().get(0);
    assertThat(afterVolumeWrite.drifted()).as("a write to a declared volume").isFalse();

    exec(id, "touch /etc/x");
    ServiceStatus.Replica edited = client.service("web").orElseThrow().replicas().get(0);
    assertThat(edited.drifted()).isTrue();
    assertThat(edited.driftPaths()).containsExactly("/etc/x");
    assertThat(edited.execAt()).as("probe-style exec does not mark").isNull();

    Process p = runtime.execStreaming(id, ExecOptions.of(List.of("true")));
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(client.service("web").orElseThrow().replicas().get(0).execAt())
        .as("stamp exec marks the replica")
        .isNotNull();
  }

  @Test
  void aPutTheHostCannotRunIsRefusedBeforeItsDesiredRecordIsWritten() throws Exception {
    int port = dev.stamp.testkit.TestNetworks.freePort();
    client.putService("web", web(port, pages(), null, image));
    String container = running("web").replicas().get(0).container();
    Path record = root.resolve("agent/desired/web.json");
    byte[] before = Files.readAllBytes(record);

    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      assertRefused(
          "web", web(taken.getLocalPort(), pages(), null, image), 409, "ports[0].published");
      assertRefused(
          "other", web(taken.getLocalPort(), pages(), null, image), 409, "ports[0].published");
    }
    assertRefused("other", web(port, pages(), null, image), 409, "ports[0].published");
    assertRefused("web", web(port, pages(), null, "sha256:" + "0".repeat(64)), 422, "image");
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    assertRefused(
        "web",
        web(
            port,
            List.of(pages().get(0), new ServiceSpec.Volume("bind", outside.toString(), "/o", true)),
            null,
            image),
        422,
        "volumes[1].source");
    assertRefused(
        "web",
        web(
            port,
            pages(),
            List.of(new ServiceSpec.Secret("token", tmp.resolve("no-such-file").toString())),
            image),
        422,
        "secrets[0].file");

    assertThat(Files.readAllBytes(record)).as("the desired record").isEqualTo(before);
    assertThat(root.resolve("agent/desired/other.json")).doesNotExist();
    assertThat(client.service("other")).isEmpty();
    ServiceStatus web = client.service("web").orElseThrow();
    assertThat(web.generation()).isEqualTo(1);
    assertThat(web.state()).isEqualTo("running");
    assertThat(web.replicas())
        .extracting(ServiceStatus.Replica::container)
        .containsExactly(container);

    Path inside = Files.createDirectories(binds.resolve("data"));
    assertThat(
            client
                .putService(
                    "web",
                    web(
                        port,
                        List.of(
                            pages().get(0),
                            new ServiceSpec.Volume("bind", inside.toString(), "/o", true)),
                        null,
                        image))
                .generation())
        .as("a bind under --bind-root passes")
        .isEqualTo(2);
    await("web", s -> s.observedGeneration() == 2 && "running".equals(s.state()), "gen 2");
  }

  private void assertRefused(String name, ServiceSpec spec, int status, String field) {
    AgentException e =
        catchThrowableOfType(() -> client.putService(name, spec), AgentException.class);
    assertThat(e).as("PUT %s refused", name).isNotNull();
    assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
    assertThat(e.problems()).extracting(Problem::field).contains(field);
    assertThat(e.getMessage()).contains(field).doesNotContain("Exception");
  }
}
