package dev.stamp.runtime.network.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackendTest {

  @Test
  void validBackendsDescribeThemselves() throws Exception {
    assertThat(Backend.of("10.88.0.2", 8080).describe()).isEqualTo("10.88.0.2:8080");
    assertThat(Backend.of("10.88.0.2", 8080, 3).describe()).isEqualTo("10.88.0.2:8080 (weight 3)");
    assertThat(Backend.of("10.88.0.2").port()).isZero();
    assertThat(Backend.of("10.88.0.2", 80, 2).sameEndpoint(Backend.of("10.88.0.2", 80))).isTrue();
  }

  @Test
  void badBackendsNameTheProblem() {
    assertThatThrownBy(() -> Backend.of("web.local", 80))
        .hasMessage("backend web.local:80: address \"web.local\" is not an IPv4 address");
    assertThatThrownBy(() -> Backend.of("10.88.0.2", 70000))
        .hasMessage(
            "backend 10.88.0.2:70000: port 70000 is out of range (1-65535, or 0 for the front's"
                + " container port)");
    assertThatThrownBy(() -> Backend.of("10.88.0.2", 80, 0))
        .hasMessage("backend 10.88.0.2:80 (weight 0): weight 0 is out of range (1-100)");
    assertThatThrownBy(() -> Backend.of("10.088.0.2", 80)).hasMessageContaining("not an IPv4");
  }
}
