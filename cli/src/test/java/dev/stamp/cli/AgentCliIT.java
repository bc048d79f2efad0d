package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  StampAgentProcess f;
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
    f =
        StampAgentProcess.prepare(tmp, "agent-cli-it/web:1", TOKEN)
            .patience(Duration.ofSeconds(60));
    root = f.root;
    token = f.token;
    image = f.image;
    apiPort = f.apiPort;
    client = f.client;
  }

  @AfterEach
  void tearDown() throws Exception {
    f.agent = agent;
    f.containers.addAll(containers);
    f.close();
  }

  void startAgent() throws Exception {
    f.start();
    agent = f.agent;
  }

  void waitFor(StampAgentProcess.Check check, String what) throws Exception {
    f.waitFor(check, what);
  }

  ServiceStatus awaitService(String name, Predicate<ServiceStatus> done) throws Exception {
    ServiceStatus status = f.awaitService(name, done);
    status.replicas().forEach(r -> containers.add(r.container()));
    return status;
  }

  String page(int port) throws Exception {
    return f.page(port);
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

  /**
   * The agent serves CLI hand-offs of its root through the real client: a kill -9 leaves the socket
   * file, which then answers "not here" (222, the launcher runs the command itself); a restarted
   * agent replaces it; SIGTERM removes it.
   */
  @Test
  void theAgentServesHandOffsOfItsRootAndAKilledOnesSocketIsReplaced() throws Exception {
    startAgent();
    Path socket = root.resolve("agent/handoff/cli.sock");
    assertThat(handOff(socket).code()).isEqualTo(StampCli.EXIT_USAGE); // served: the bad ref
    assertThat(handOff(socket).err()).startsWith("stamp: invalid reference \"Bad::Ref\"");
    agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9
    assertThat(socket).exists();
    assertThat(handOff(socket).code()).isEqualTo(222);
    startAgent();
    assertThat(handOff(socket).code()).isEqualTo(StampCli.EXIT_USAGE);
    agent.destroy(); // SIGTERM
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(socket).doesNotExist();
  }

  dev.stamp.testkit.HostCommand.Result handOff(Path socket) {
    return HandOffTest.client(List.of(), socket, "--root", root.toString(), "pull", "Bad::Ref");
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
