package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkConfigTest {

  @Test
  void defaultIsStamp0On10dot88() {
    NetworkConfig config = NetworkConfig.defaultNetwork();
    assertThat(config).isEqualTo(new NetworkConfig("bridge", "stamp0", "10.88.0.0/16"));
    assertThat(config.gateway()).isEqualTo("10.88.0.1");
  }

  @Test
  void validatesAndNormalises() throws HostRuntimeException {
    NetworkConfig config = NetworkConfig.of("web", "stt0abc", "10.231.7.0/24");
    assertThat(config.gateway()).isEqualTo("10.231.7.1");
    assertThat(config.parsedSubnet().contains(Ipv4.parse("10.231.7.200").orElseThrow())).isTrue();
    assertThat(config.parsedSubnet().contains(Ipv4.parse("10.231.8.1").orElseThrow())).isFalse();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "web | stamp0           | 10.88.0.0     | network web: subnet \"10.88.0.0\": expected an"
            + " IPv4 subnet like 10.88.0.0/16",
        "web | stamp0           | 10.88.0.1/16  | network web: subnet 10.88.0.1/16: host bits are"
            + " set (did you mean 10.88.0.0/16?)",
        "web | stamp0           | 10.88.0.0/30  | network web: subnet 10.88.0.0/30: prefix /30 is"
            + " out of range (/8-/29)",
        "web | stamp0           | 300.1.0.0/16  | network web: subnet \"300.1.0.0/16\": expected"
            + " an IPv4 subnet like 10.88.0.0/16",
        "web | a-bridge-name-too-long | 10.0.0.0/8 | network web: bridge \"a-bridge-name-too-long\""
            + " is not an interface name (1-15 letters, digits, '_', '.', '-')",
        "web | br/0             | 10.0.0.0/8    | network web: bridge \"br/0\" is not an interface"
            + " name (1-15 letters, digits, '_', '.', '-')",
        "a b | stamp0           | 10.0.0.0/8    | network \"a b\": expected a name of letters,"
            + " digits, '_', '.', '-'",
      })
  void rejectsBadNetworks(String name, String bridge, String subnet, String message) {
    assertThatThrownBy(() -> NetworkConfig.of(name, bridge, subnet)).hasMessage(message);
  }

  @Test
  void subnetsOverlapWhenOneContainsTheOther() throws HostRuntimeException {
    Subnet wide = Subnet.parse("10.88.0.0/16");
    assertThat(wide.overlaps(Subnet.parse("10.88.5.0/24"))).isTrue();
    assertThat(Subnet.parse("10.88.5.0/24").overlaps(wide)).isTrue();
    assertThat(wide.overlaps(Subnet.parse("10.89.0.0/24"))).isFalse();
  }
}
