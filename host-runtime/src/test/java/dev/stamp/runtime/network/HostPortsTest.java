package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.testkit.TestNetworks;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPortsTest {

  @Test
  void aListeningHostProcessMakesThePortTaken() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = listener.getLocalPort();
      PortMapping wanted = PortMapping.tcp(port, 80);
      assertThatThrownBy(() -> HostPorts.resolve(List.of(wanted), List.of()))
          .hasMessage(
              "publish 0.0.0.0:" + port + "->80/tcp: host port " + port + " is already in use")
          .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.CONFLICT));
    }
  }

  @Test
  void anotherContainersPortIsTakenEvenWithNoListener() throws Exception {
    int port = TestNetworks.freePort();
    HostPorts.Published other = new HostPorts.Published("c0", PortMapping.tcp(port, 8080));
    assertThatThrownBy(
            () ->
                HostPorts.resolve(
                    List.of(PortMapping.parse("127.0.0.1:" + port + ":80")), List.of(other)))
        .hasMessage(
            "publish 127.0.0.1:"
                + port
                + "->80/tcp: host port "
                + port
                + " is already in use (published by container c0)");
  }

  @Test
  void theSamePortTwiceInOneRequestIsRefused() throws Exception {
    int port = TestNetworks.freePort();
    assertThatThrownBy(
            () ->
                HostPorts.resolve(
                    List.of(PortMapping.tcp(port, 80), PortMapping.tcp(port, 81)), List.of()))
        .hasMessageEndingWith("host port " + port + " is already in use (requested twice)");
  }

  @Test
  void sameNumberOnTheOtherProtocolIsFree() throws Exception {
    int port = TestNetworks.freePort();
    List<PortMapping> resolved =
        HostPorts.resolve(
            List.of(PortMapping.parse(port + ":53/udp")),
            List.of(new HostPorts.Published("c0", PortMapping.tcp(port, 53))));
    assertThat(resolved).containsExactly(PortMapping.parse(port + ":53/udp"));
  }

  @Test
  void ephemeralPortsComeFromTheLocalRangeAndAvoidPublishedOnes() throws Exception {
    List<PortMapping> resolved =
        HostPorts.resolve(
            List.of(PortMapping.parse("80"), PortMapping.parse("127.0.0.1::81/udp")), List.of());
    int[] range = localPortRange();
    assertThat(resolved).hasSize(2);
    assertThat(resolved).allSatisfy(p -> assertThat(p.hostPort()).isBetween(range[0], range[1]));
    assertThat(resolved.get(0).containerPort()).isEqualTo(80);
    assertThat(resolved.get(1).hostIp()).isEqualTo("127.0.0.1");
    assertThat(resolved.get(1).protocol()).isEqualTo("udp");
  }

  @Test
  void aHostIpThatIsNotLocalIsBadInput() {
    assertThatThrownBy(
            () -> HostPorts.resolve(List.of(PortMapping.parse("192.0.2.254::80")), List.of()))
        .hasMessage("publish 192.0.2.254:0->80/tcp: 192.0.2.254 is not an address of this host")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
  }

  static int[] localPortRange() throws Exception {
    String[] parts =
        java.nio.file.Files.readAllLines(
                java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
            .get(0)
            .trim()
            .split("\\s+");
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }
}
