package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.RequiresRoot;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ephemeral ports, -P, names between containers and the bad input of issue 4, through the CLI. */
@RequiresRoot
class NetworkingCliIT {

  private static final Pattern MAPPING = Pattern.compile("80/tcp -> 0\\.0\\.0\\.0:(\\d+)\n");

  @TempDir Path tmp;
  CliNet net;
  Path rootfs;

  @BeforeEach
  void setUp() throws Exception {
    net = new CliNet(tmp);
    rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("www"));
    Files.writeString(rootfs.resolve("www/index.html"), "hello from www\n");
  }

  @AfterEach
  void nothingLeft() throws Exception {
    net.cleanUp();
  }

  private String[] httpd(String... runFlags) {
    String[] tail = {"--rootfs", rootfs.toString(), "httpd", "-f", "-p", "80", "-h", "/www"};
    String[] all = new String[1 + runFlags.length + tail.length];
    all[0] = "run";
    System.arraycopy(runFlags, 0, all, 1, runFlags.length);
    System.arraycopy(tail, 0, all, 1 + runFlags.length, tail.length);
    return all;
  }

  @Test
  void anEphemeralPortIsRecordedAndServesTheContainer() throws Exception {
    HostCommand.Result run = net.run(httpd("-d", "--name", "web", "-p", "80"));
    assertThat(run.code()).as(run.err()).isZero();

    HostCommand.Result port = net.run("port", "web");
    Matcher m = MAPPING.matcher(port.out());
    assertThat(m.matches()).as(port.out()).isTrue();
    int hostPort = Integer.parseInt(m.group(1));
    assertThat(hostPort).isPositive();
    assertThat(net.run("port", "web", "80/tcp").out()).isEqualTo("0.0.0.0:" + hostPort + "\n");
    assertThat(CliNet.await(10, () -> fetches("127.0.0.1", hostPort, "hello from www"))).isTrue();
    assertThat(net.run("ps").out()).contains("0.0.0.0:" + hostPort + "->80/tcp");

    HostCommand.Result other = net.run("port", "web", "81");
    assertThat(other.code()).isEqualTo(1);
    assertThat(other.err()).isEqualTo("stamp: port web 81: no public port 81/tcp published\n");

    assertThat(net.run("stop", "-t", "1", "web").code()).isZero();
    assertThat(net.run("port", "web")).isEqualTo(new HostCommand.Result(0, "", ""));
    assertThat(net.run("ps", "-a").out()).doesNotContain("->80/tcp");
  }

  @Test
  void hostIpWithAnEmptyHostPortPublishesOnThatAddress() throws Exception {
    assertThat(net.run(httpd("-d", "--name", "local", "-p", "127.0.0.1::80")).code()).isZero();
    String port = net.run("port", "local", "80").out();
    assertThat(port).matches("127\\.0\\.0\\.1:\\d+\n");
    int hostPort = Integer.parseInt(port.strip().substring("127.0.0.1:".length()));
    assertThat(CliNet.await(10, () -> fetches("127.0.0.1", hostPort, "hello from www"))).isTrue();
  }

  @Test
  void publishAllPublishesEveryExposedPortOfTheImage() throws Exception {
    Path tar = BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar"));
    HostCommand.Result imported =
        net.run("import", "--change", "EXPOSE 8080", tar.toString(), "exposing:1");
    assertThat(imported.code()).as(imported.err()).isZero();
    HostCommand.Result run =
        net.run(
            "run",
            "-d",
            "--name",
            "all",
            "-P",
            "exposing:1",
            "httpd",
            "-f",
            "-p",
            "8080",
            "-h",
            "/www");
    assertThat(run.code()).as(run.err()).isZero();

    String port = net.run("port", "all").out();
    assertThat(port).matches("8080/tcp -> 0\\.0\\.0\\.0:\\d+\n");
    int hostPort = Integer.parseInt(port.strip().replaceFirst(".*:", ""));
    assertThat(CliNet.await(10, () -> fetches("127.0.0.1", hostPort, "hello from www"))).isTrue();
  }

  @Test
  void containersReachEachOtherByNameAliasAndLinkUntilRemoved() throws Exception {
    assertThat(net.run(httpd("-d", "--name", "web", "--network-alias", "frontend")).code())
        .isZero();
    HostCommand.Result client =
        net.run(
            "run",
            "--rm",
            "--link",
            "web:site",
            "--rootfs",
            rootfs.toString(),
            "sh",
            "-c",
            "ping -c1 -W2 web >/dev/null && wget -qO- http://frontend/ && wget -qO- http://site:80/");
    assertThat(client).isEqualTo(new HostCommand.Result(0, "hello from www\nhello from www\n", ""));

    HostCommand.Result watcher =
        net.run(
            "run",
            "-d",
            "--name",
            "watcher",
            "--rootfs",
            rootfs.toString(),
            "sh",
            "-c",
            "while true; do ping -c1 -W1 web 2>&1 | head -n1 > /tmp/r.new; mv /tmp/r.new /tmp/r;"
                + " sleep 0.2; done");
    assertThat(watcher.code()).as(watcher.err()).isZero();
    assertThat(CliNet.await(20, () -> net.readInside("watcher", "/tmp/r").startsWith("PING web")))
        .as(net.readInside("watcher", "/tmp/r"))
        .isTrue();
    assertThat(net.readInside("watcher", "/etc/hosts")).containsPattern("\tweb frontend ");

    assertThat(net.run("rm", "-f", "web").code()).isZero();
    assertThat(net.readInside("watcher", "/etc/hosts")).doesNotContain("web");
    assertThat(CliNet.await(20, () -> net.readInside("watcher", "/tmp/r").contains("bad address")))
        .as(net.readInside("watcher", "/tmp/r"))
        .isTrue();
  }

  @Test
  void aRangeOverlappingATakenPortFailsAndLeavesNothing() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
      int middle = taken.getLocalPort();
      String range = (middle - 1) + "-" + (middle + 1) + ":80-82";
      HostCommand.Result run = net.run(httpd("-d", "--name", "ranged", "-p", range));
      assertThat(run.code()).isEqualTo(1);
      assertThat(run.out()).isEmpty();
      assertThat(run.err().lines()).hasSize(1);
      // the taken port, or a neighbour some other process on this machine holds right now
      assertThat(run.err())
          .containsAnyOf(
              "host port " + (middle - 1) + " is already in use",
              "host port " + middle + " is already in use",
              "host port " + (middle + 1) + " is already in use");
    }
    assertThat(net.runtime.list(true)).isEmpty();
    assertThat(net.net.containersWithNetworkState()).isEmpty();
    assertThat(net.run("ps", "-a", "-q").out()).isEmpty();
  }

  @Test
  void aNameInUseFailsAndCreatesNothing() throws Exception {
    assertThat(net.run(httpd("-d", "--name", "web")).code()).isZero();
    HostCommand.Result again = net.run(httpd("-d", "--name", "web", "-p", "80"));
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err().lines()).hasSize(1);
    assertThat(again.err()).contains("container name web is already in use");
    assertThat(net.runtime.list(true)).hasSize(1);
    assertThat(net.net.containersWithNetworkState()).hasSize(1);
  }

  @Test
  void portOfAnUnknownContainerIsExit2() throws Exception {
    HostCommand.Result port = net.run("port", "nosuch");
    assertThat(port).isEqualTo(new HostCommand.Result(2, "", "stamp: no such container: nosuch\n"));
  }

  private static boolean fetches(String host, int port, String body) {
    try {
      return HttpFetch.getOnNewConnection(host, port, "/").equals(body + "\n");
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
