package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ExecResult;
import dev.stamp.runtime.container.LogReader;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestNetworks;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret's value reaches the container's /run/secrets and nothing else: not {@code stamp
 * inspect}, the runtime's inspect, the container's log, the agent's log, its API answers and
 * events, its desired and observed records (the desired record holds the file's path), nor any file
 * under the state root but the agent's own secrets tmpfs.
 */
@RequiresRoot
class AgentSecretsCliIT {

  static final String TOKEN = "agent-secrets-it-token-0123456789";

  @TempDir Path tmp;
  Path root;
  Process agent;
  AgentClient client;
  int apiPort;
  final List<String> containers = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    TestNetworks.Net net = TestNetworks.unique();
    NetworkManager.open(new StampRoot(root))
        .saveNetwork(NetworkConfig.of("bridge", net.bridge(), net.subnet()));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (agent != null && agent.isAlive()) {
        for (ServiceStatus s : client.services()) {
          client.deleteService(s.name());
          long deadline = System.currentTimeMillis() + 60_000;
          while (client.service(s.name()).isPresent() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
          }
        }
        agent.destroy();
        agent.waitFor(30, TimeUnit.SECONDS);
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

  @Test
  void aSecretsValueAppearsOnlyInTheContainersSecretFile() throws Exception {
    StampRoot stampRoot = new StampRoot(root);
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    String image =
        new RootfsImporter(ImageStore.open(stampRoot), Map.of())
            .importTar(
                BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar")),
                ImageReference.parse("agent-secrets-it/web:1"),
                List.of())
            .manifestDigest()
            .toString();
    Path token = tmp.resolve("token");
    Files.writeString(token, TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    String value = "s3cret-" + UUID.randomUUID();
    Path secretFile = Files.writeString(tmp.resolve("db-password"), value);
    try (ServerSocket s = new ServerSocket(0)) {
      apiPort = s.getLocalPort();
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    client = new AgentClient(URI.create("http://127.0.0.1:" + apiPort), TOKEN);
    Path agentLog = tmp.resolve("agent.log");
    agent =
        new StampCliProcess(root)
            .start(
                agentLog,
                "--debug",
                "agent",
                "--listen",
                "127.0.0.1:" + apiPort,
                "--token-file",
                token.toString());
    long deadline = System.currentTimeMillis() + 60_000;
    while (!client.healthy()) {
      assertThat(System.currentTimeMillis()).as("agent up").isLessThan(deadline);
      Thread.sleep(100);
    }
    client.putService(
        "web",
        new ServiceSpec(
            image,
            List.of("sh", "-c", "test -s /run/secrets/db && exec httpd -f -p 80 -h /"),
            null,
            Map.of("DB_PASSWORD_FILE", "/run/secrets/db"),
            List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")),
            null,
            List.of(new ServiceSpec.Secret("db", secretFile.toString())),
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
            null));
    ServiceStatus running = null;
    while (running == null || !"running".equals(running.state())) {
      assertThat(System.currentTimeMillis())
          .as("running; agent log: %s", Files.readString(agentLog))
          .isLessThan(deadline);
      Thread.sleep(100);
      running = client.service("web").orElse(null);
    }
    String id = running.replicas().get(0).container();
    containers.add(id);

    ContainerRuntime runtime = ContainerRuntime.open(stampRoot);
    ExecResult read = runtime.exec(id, List.of("cat", "/run/secrets/db"), Duration.ofSeconds(10));
    assertThat(read.output()).as("the container reads the value").isEqualTo(value);

    HostCommand.Result inspect = new StampCliProcess(root).run("inspect", id);
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("/run/secrets/db").doesNotContain(value);
    assertThat(runtime.inspect(id).toString()).doesNotContain(value);

    StringBuilder log = new StringBuilder();
    for (LogReader.Entry e : runtime.logs(id).entries()) {
      log.append(e.text());
    }
    assertThat(log.toString()).as("container log").doesNotContain(value);

    assertThat(api("v1/services/web")).doesNotContain(value);
    assertThat(api("v1/services")).doesNotContain(value);
    String events = events();
    assertThat(events).contains("data:").doesNotContain(value);
    assertThat(Files.readString(root.resolve("agent/desired/web.json")))
        .contains(secretFile.toString())
        .doesNotContain(value);

    Path secretsTmpfs = root.resolve("agent/secrets");
    assertThat(filesHolding(root, value, null))
        .as("the walk finds the agent's own copy (it searches the right bytes)")
        .isNotEmpty()
        .allMatch(p -> p.startsWith(secretsTmpfs));
    assertThat(filesHolding(root, value, secretsTmpfs))
        .as("files under the state root holding the value: records, layers, blobs, logs")
        .isEmpty();
    assertThat(Files.readString(agentLog)).as("the agent's own log").doesNotContain(value);
  }

  private String api(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/" + path))
                .header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The first batch of {@code GET /v1/events} (everything so far), then the stream is closed. */
  private String events() throws Exception {
    HttpResponse<java.io.InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/events"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    StringBuilder sb = new StringBuilder();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      boolean data = false;
      while ((line = in.readLine()) != null) {
        sb.append(line).append('\n');
        data |= line.startsWith("data:");
        if (data && line.isEmpty() && !in.ready()) {
          break;
        }
      }
    }
    return sb.toString();
  }

  /** Regular files under {@code dir} (not under {@code skip}) whose bytes contain {@code text}. */
  private static List<Path> filesHolding(Path dir, String text, Path skip) throws Exception {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if ((skip != null && p.startsWith(skip))
            || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            || Files.size(p) > (256L << 20)) {
          continue;
        }
        byte[] bytes;
        try {
          bytes = Files.readAllBytes(p);
        } catch (java.io.IOException e) {
          continue; // removed while walking
        }
        if (indexOf(bytes, needle) >= 0) {
          found.add(p);
        }
      }
    }
    return found;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
