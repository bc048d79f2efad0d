package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkModeTest {

  @Test
  void parsesTheThreeKinds() throws HostRuntimeException {
    assertThat(NetworkMode.parse("none")).isEqualTo(new NetworkMode.None());
    assertThat(NetworkMode.parse("host")).isEqualTo(new NetworkMode.Host());
    assertThat(NetworkMode.parse("bridge")).isEqualTo(new NetworkMode.Bridge("bridge"));
    assertThat(NetworkMode.parse("backend-1.prod"))
        .isEqualTo(new NetworkMode.Bridge("backend-1.prod"));
    assertThat(NetworkMode.defaultMode()).isEqualTo(new NetworkMode.Bridge("bridge"));
  }

  @Test
  void flagValueRoundTrips() throws HostRuntimeException {
    for (String value : new String[] {"none", "host", "bridge", "web"}) {
      assertThat(NetworkMode.parse(value).flagValue()).isEqualTo(value);
    }
  }

  @ParameterizedTest(name = "--network {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "container:abc | --network container:abc: sharing another container's network is not"
            + " supported",
        "a/b           | --network a/b: expected none, host, bridge or a network name (letters,"
            + " digits, '_', '.', '-'; at most 63 characters)",
        "-x            | --network -x: expected none, host, bridge or a network name (letters,"
            + " digits, '_', '.', '-'; at most 63 characters)",
        "''            | --network \"\": expected none, host, bridge or a network name",
      })
  void rejectsWithOneLineNamingTheInput(String value, String message) {
    assertThatThrownBy(() -> NetworkMode.parse(value))
        .hasMessage(message)
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
  }

  @Test
  void rejectsOverlongNames() {
    assertThatThrownBy(() -> NetworkMode.parse("n".repeat(64)))
        .hasMessageStartingWith("--network " + "n".repeat(64) + ": expected none, host");
  }
}
