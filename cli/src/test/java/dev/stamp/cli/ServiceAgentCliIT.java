package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stamp service run|rm} on a state root a {@code stamp agent} process serves: the service
 * becomes the agent's desired state and its engine runs it (generation 1, health-gated), the CLI
 * waits and prints; what an agent cannot take is refused naming the flag; a first run that never
 * gets healthy fails with the replica's output and leaves nothing.
 */
@RequiresRoot
class ServiceAgentCliIT {

  static final String TOKEN = "service-agent-cli-it-token-0123456789";
  static final String IMAGE = "svc-agent-it/web:1";

  @TempDir Path tmp;
  StampAgentProcess agent;

  @BeforeEach
  void setUp() throws Exception {
    agent = StampAgentProcess.prepare(tmp, IMAGE, TOKEN);
    agent.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    agent.close();
  }

  HostCommand.Result stamp(String... args) {
    return new StampCliProcess(agent.root).timeout(Duration.ofSeconds(120)).run(args);
  }

  HostCommand.Result serviceRun(String name, String publish, String script) {
    return stamp(
        "service",
        "run",
        "-d",
        "--name",
        name,
        "--replicas",
        "2",
        "-p",
        publish,
        "--health-url",
        "/index.html",
        "--health-interval",
        "200ms",
        "--health-retries",
        "2",
        IMAGE,
        "sh",
        "-c",
        script);
  }

  @Test
  void aServiceRunOnARootWithAnAgentIsTheAgentsDesiredStateAndRmDeletesIt() throws Exception {
    int port = AgentCliIT.freePort();
    HostCommand.Result run =
        serviceRun(
            "web",
            "127.0.0.1:" + port + ":80",
            "mkdir -p /w; echo v1 > /w/index.html; exec httpd -f -p 80 -h /w");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("web\t127.0.0.1:" + port + "->80/tcp\n");

    ServiceStatus status = agent.client.service("web").orElseThrow();
    assertThat(status.observedGeneration()).isEqualTo(1);
    assertThat(status.state()).isEqualTo("running");
    assertThat(status.replicas()).hasSize(2);
    status.replicas().forEach(r -> agent.containers.add(r.container()));
    assertThat(Files.exists(agent.root.resolve("agent/desired/web.json"))).isTrue();
    assertThat(agent.page(port)).isEqualTo("v1");
    assertThat(stamp("service", "ls").out()).contains("web").contains("127.0.0.1:" + port);

    // a second run of the same name is refused, the first one untouched
    HostCommand.Result again =
        serviceRun("web", "127.0.0.1:" + port + ":80", "exec httpd -f -p 80 -h /");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already runs a service called web");
    assertThat(agent.client.service("web").orElseThrow().generation()).isEqualTo(1);

    HostCommand.Result rm = stamp("service", "rm", "web");
    assertThat(rm.code()).as(rm.err()).isZero();
    assertThat(rm.out()).isEqualTo("web\n");
    assertThat(agent.client.service("web")).isEmpty();
    assertThat(ContainerRuntime.open(new StampRoot(agent.root)).list(true)).isEmpty();
  }

  @Test
  void whatTheAgentCannotRunIsRefusedNamingTheFlagAndAFailedFirstRunLeavesNothing()
      throws Exception {
    HostCommand.Result anyPort = serviceRun("web", "127.0.0.1::80", "exec httpd -f -p 80 -h /");
    assertThat(anyPort.code()).isEqualTo(2);
    assertThat(anyPort.err()).contains("-p 127.0.0.1:0->80/tcp").contains("fixed host port");
    HostCommand.Result rootfs =
        stamp("service", "run", "-d", "--name", "dir", "--rootfs", tmp.toString(), "true");
    assertThat(rootfs.code()).isEqualTo(2);
    assertThat(rootfs.err()).contains("--rootfs");
    assertThat(agent.client.services()).isEmpty();

    int port = AgentCliIT.freePort();
    HostCommand.Result broken =
        serviceRun("bad", "127.0.0.1:" + port + ":80", "echo no server here on purpose; exit 3");
    assertThat(broken.code()).isEqualTo(1);
    assertThat(broken.err()).contains("run service bad").contains("no server here on purpose");
    assertThat(agent.client.service("bad")).isEmpty();
    assertThat(ContainerRuntime.open(new StampRoot(agent.root)).list(true)).isEmpty();
  }
}
