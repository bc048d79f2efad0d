package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.lb.ServiceLoadBalancer;
import dev.stamp.runtime.service.ServiceRecord;
import dev.stamp.runtime.service.Services;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stamp service}: three busybox httpd replicas, each serving its host name, behind one
 * published port; one made unhealthy (its health file deleted) gets no requests until it recovers.
 */
@RequiresRoot
class ServiceCliIT {

  private static final int REQUESTS = 30;

  @TempDir Path tmp;
  CliNet net;
  Path rootfs;

  @BeforeEach
  void setUp() throws Exception {
    net = new CliNet(tmp);
    rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    Services services = Services.open(new StampRoot(net.root), net.runtime);
    Optional<ProcessId> monitor = Optional.empty();
    for (var info : services.list()) {
      monitor = info.record().monitor();
      services.remove(info.record().name());
    }
    monitor.ifPresent(m -> assertThat(m.isAlive()).isFalse());
    assertThat(nftTables())
        .doesNotContain(ServiceLoadBalancer.open(new StampRoot(net.root)).tableName());
    net.cleanUp();
  }

  @Test
  void replicasShareOnePortAndAnUnhealthyOneIsTakenOutUntilItRecovers() throws Exception {
    HostCommand.Result run =
        net.run(
            "service",
            "run",
            "-d",
            "--name",
            "web",
            "--replicas",
            "3",
            "-p",
            "127.0.0.1::80",
            "--health-url",
            "/health",
            "--health-interval",
            "300ms",
            "--health-retries",
            "1",
            "--rootfs",
            rootfs.toString(),
            "sh",
            "-c",
            "mkdir -p /w; hostname > /w/index.html; echo ok > /w/health; exec httpd -f -p 80 -h /w");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).matches("web\t127\\.0\\.0\\.1:\\d+->80/tcp\n");
    int port = Integer.parseInt(run.out().replaceAll(".*:(\\d+)->.*\\s*", "$1"));
    List<String> hosts = List.of(hostname("web-1"), hostname("web-2"), hostname("web-3"));

    assertThat(CliNet.await(30, () -> ls().contains("3/3 healthy"))).as(ls()).isTrue();
    assertThat(hits(port).keySet()).containsExactlyInAnyOrderElementsOf(hosts);

    Files.delete(insideRoot("web-2").resolve("w/health"));
    assertThat(CliNet.await(30, () -> ls().contains("2/3 healthy"))).as(ls()).isTrue();
    Map<String, Integer> degraded = hits(port);
    assertThat(degraded.keySet()).containsExactlyInAnyOrder(hosts.get(0), hosts.get(2));
    assertThat(degraded.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(REQUESTS);

    Files.writeString(insideRoot("web-2").resolve("w/health"), "ok\n");
    assertThat(CliNet.await(30, () -> ls().contains("3/3 healthy"))).as(ls()).isTrue();
    assertThat(hits(port).keySet()).containsExactlyInAnyOrderElementsOf(hosts);

    ServiceRecord record = Services.open(new StampRoot(net.root), net.runtime).inspect("web");
    ProcessId monitor = record.monitor().orElseThrow();
    assertThat(monitor.isAlive()).isTrue();
    assertThat(net.run("service", "rm", "web")).isEqualTo(new HostCommand.Result(0, "web\n", ""));
    assertThat(monitor.isAlive()).isFalse();
    assertThat(net.runtime.list(true)).isEmpty();
    assertThat(net.run("service", "ls").out().lines()).hasSize(1);
    assertThat(Files.exists(net.root.resolve("services/web.json"))).isFalse();
    assertThatThrownBy(() -> HttpFetch.getOnNewConnection("127.0.0.1", port, "/"))
        .isInstanceOf(IOException.class);
  }

  /**
   * A service given no check uses its image's HEALTHCHECK (an exec-form CMD run inside each
   * replica: a TCP or HTTP probe from the host would not notice the missing file); {@code
   * --no-healthcheck} turns it off.
   */
  @Test
  void aServiceWithoutACheckUsesItsImagesHealthcheckAndNoneDisablesIt() throws Exception {
    Files.writeString(
        rootfs.resolve("Dockerfile"),
        """
        FROM scratch
        COPY . /
        HEALTHCHECK --interval=300ms --timeout=2s --retries=1 CMD ["test", "-f", "/w/health"]
        CMD ["sh", "-c", "mkdir -p /w; echo ok > /w/health; exec httpd -f -p 80 -h /w"]
        """);
    HostCommand.Result build = net.run("build", "-t", "checked:1", rootfs.toString());
    assertThat(build.code()).as(build.err()).isZero();
    HostCommand.Result checked =
        net.run(
            "service",
            "run",
            "-d",
            "--name",
            "img",
            "--replicas",
            "2",
            "-p",
            "127.0.0.1::80",
            "checked:1");
    assertThat(checked.code()).as(checked.err()).isZero();
    HostCommand.Result off =
        net.run(
            "service",
            "run",
            "-d",
            "--name",
            "off",
            "-p",
            "127.0.0.1::80",
            "--no-healthcheck",
            "checked:1");
    assertThat(off.code()).as(off.err()).isZero();

    Services services = Services.open(new StampRoot(net.root), net.runtime);
    assertThat(services.inspect("img").health().test())
        .containsExactly("CMD", "test", "-f", "/w/health");
    assertThat(services.inspect("img").health().interval()).isEqualTo(Duration.ofMillis(300));
    assertThat(services.inspect("off").health().test()).containsExactly("NONE");
    assertThat(CliNet.await(30, () -> lsLine("img").contains("2/2 healthy"))).as(ls()).isTrue();
    assertThat(lsLine("img")).contains("cmd [test, -f, /w/health]");
    assertThat(CliNet.await(30, () -> lsLine("off").contains("1/1 healthy"))).as(ls()).isTrue();
    assertThat(lsLine("off")).contains("none");

    Files.delete(insideRoot("img-2").resolve("w/health"));
    Files.delete(insideRoot("off-1").resolve("w/health"));
    assertThat(CliNet.await(30, () -> lsLine("img").contains("1/2 healthy"))).as(ls()).isTrue();
    Thread.sleep(1000);
    assertThat(lsLine("off")).contains("1/1 healthy");
  }

  /**
   * {@code -p} given twice publishes both ports, balanced over the same replicas; given not at all,
   * the replicas are reached only on their network ({@code -} under PORTS) and a check probed from
   * the host is refused; a host port given twice is refused naming it.
   */
  @Test
  void publishIsRepeatableOrAbsent() throws Exception {
    HostCommand.Result two =
        net.run(
            "service",
            "run",
            "-d",
            "--name",
            "two",
            "--replicas",
            "2",
            "-p",
            "127.0.0.1::80",
            "-p",
            "127.0.0.1::81",
            "--health-url",
            "/index.html",
            "--health-interval",
            "300ms",
            "--rootfs",
            rootfs.toString(),
            "sh",
            "-c",
            "mkdir -p /w /x; echo app > /w/index.html; echo alt > /x/index.html;"
                + " httpd -p 81 -h /x; exec httpd -f -p 80 -h /w");
    assertThat(two.code()).as(two.err()).isZero();
    assertThat(two.out())
        .matches("two\t127\\.0\\.0\\.1:\\d+->80/tcp, 127\\.0\\.0\\.1:\\d+->81/tcp\n");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(":(\\d+)->8([01])/tcp").matcher(two.out());
    Map<String, Integer> ports = new HashMap<>();
    while (m.find()) {
      ports.put(m.group(2), Integer.parseInt(m.group(1)));
    }
    assertThat(HttpFetch.getOnNewConnection("127.0.0.1", ports.get("0"), "/").strip())
        .isEqualTo("app");
    assertThat(HttpFetch.getOnNewConnection("127.0.0.1", ports.get("1"), "/").strip())
        .isEqualTo("alt");

    HostCommand.Result none =
        net.run(
            "service",
            "run",
            "-d",
            "--name",
            "worker",
            "--replicas",
            "2",
            "--health-cmd",
            "test -s /v",
            "--health-interval",
            "300ms",
            "--rootfs",
            rootfs.toString(),
            "sh",
            "-c",
            "echo 1 > /v; exec sleep 100000");
    assertThat(none.code()).as(none.err()).isZero();
    assertThat(none.out()).isEqualTo("worker\t-\n");
    assertThat(CliNet.await(30, () -> lsLine("worker").contains("2/2 healthy"))).as(ls()).isTrue();
    assertThat(lsLine("worker")).matches("worker +2/2 healthy +- +.*");

    HostCommand.Result probed =
        net.run(
            "service",
            "run",
            "-d",
            "--name",
            "probed",
            "--health-tcp",
            "--rootfs",
            rootfs.toString(),
            "sleep",
            "100000");
    assertThat(probed.code()).isEqualTo(2);
    assertThat(probed.err()).contains("the service publishes none");

    HostCommand.Result twice =
        net.run(
            "service",
            "run",
            "-d",
            "--name",
            "twice",
            "-p",
            "127.0.0.1:" + ports.get("0") + ":80",
            "-p",
            "127.0.0.1:" + ports.get("0") + ":81",
            "--rootfs",
            rootfs.toString(),
            "sleep",
            "100000");
    assertThat(twice.code()).isEqualTo(2);
    assertThat(twice.err()).contains("host port " + ports.get("0") + "/tcp is given twice");
    assertThat(net.run("service", "ls").out().lines()).hasSize(3);
  }

  private String lsLine(String service) {
    return ls().lines().filter(l -> l.startsWith(service + " ")).findFirst().orElse("");
  }

  @Test
  void aSecondServiceOfTheSameNameOrATakenReplicaNameLeavesNothing() throws Exception {
    assertThat(
            net.run("run", "-d", "--name", "api-2", "--rootfs", rootfs.toString(), "sleep", "1000")
                .code())
        .isZero();
    HostCommand.Result run =
        net.run(
            "service",
            "run",
            "-d",
            "--name",
            "api",
            "--replicas",
            "3",
            "-p",
            "80",
            "--rootfs",
            rootfs.toString(),
            "httpd",
            "-f",
            "-p",
            "80");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).contains("container name api-2 is already in use");
    assertThat(net.runtime.inspect("api-2").state().status().label()).isEqualTo("running");
    assertThat(net.runtime.list(true)).hasSize(1);
    assertThat(net.run("service", "ls").out().lines()).hasSize(1);
    assertThat(net.run("service", "rm", "api").code()).isEqualTo(2);
  }

  private String ls() {
    try {
      return net.run("service", "ls").out();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private String hostname(String container) throws Exception {
    return net.runtime.inspect(container).config().orElseThrow().hostname();
  }

  private Path insideRoot(String container) throws Exception {
    int pid = net.runtime.inspect(container).state().process().orElseThrow().pid();
    return Path.of("/proc/" + pid + "/root");
  }

  /** Which replica answered each of REQUESTS new connections. */
  private static Map<String, Integer> hits(int port) throws IOException {
    Map<String, Integer> hits = new HashMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      hits.merge(HttpFetch.getOnNewConnection("127.0.0.1", port, "/").strip(), 1, Integer::sum);
    }
    return hits;
  }

  private static String nftTables() throws Exception {
    Process p = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out;
  }
}
