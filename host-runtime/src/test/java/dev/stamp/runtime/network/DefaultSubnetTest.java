package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultSubnetTest {

  private static final List<String> TABLE =
      List.of(
          "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
          "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
          "cni-podman0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
          "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0");

  @Test
  void parsesTheKernelsLittleEndianTable() {
    List<DefaultSubnet.Route> routes = DefaultSubnet.parse(TABLE);
    assertThat(routes)
        .extracting(r -> r.iface() + " " + r.destination())
        .containsExactly("eth0 0.0.0.0/0", "cni-podman0 10.88.0.0/16", "eth0 192.0.2.0/24");
  }

  @Test
  void skipsASubnetAnotherInterfaceRoutesButNotTheDefaultRoute() {
    assertThat(DefaultSubnet.pick("stamp0", DefaultSubnet.parse(TABLE))).isEqualTo("10.89.0.0/16");
  }

  @Test
  void keepsTheSubnetItsOwnBridgeAlreadyRoutes() {
    List<String> own =
        List.of(TABLE.get(0), "stamp0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0");
    assertThat(DefaultSubnet.pick("stamp0", DefaultSubnet.parse(own))).isEqualTo("10.88.0.0/16");
  }

  @Test
  void aWideRouteCoveringTheWholePoolFallsBackToTheFirst() {
    List<String> wide =
        List.of(TABLE.get(0), "vpn0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0");
    assertThat(DefaultSubnet.pick("stamp0", DefaultSubnet.parse(wide))).isEqualTo("10.88.0.0/16");
  }
}
