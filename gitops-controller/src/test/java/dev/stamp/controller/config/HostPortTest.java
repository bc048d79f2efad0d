package dev.stamp.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parsesHostPortForms() throws Exception {
    assertThat(HostPort.parse("127.0.0.1:7700")).isEqualTo(new HostPort("127.0.0.1", 7700));
    assertThat(HostPort.parse("registry.example:0")).isEqualTo(new HostPort("registry.example", 0));
    assertThat(HostPort.parse("[::1]:7700")).isEqualTo(new HostPort("::1", 7700));
    assertThat(HostPort.parse("[::1]:7700").toString()).isEqualTo("[::1]:7700");
    for (String bad :
        new String[] {"localhost", ":7700", "::1:7700", "h:65536", "h:-1", "h:x", ""}) {
      assertThatThrownBy(() -> HostPort.parse(bad))
          .as(bad)
          .isInstanceOf(ControllerException.class)
          .hasMessage("expected host:port (port 0-65535), got \"" + bad + "\"");
    }
  }

  @Test
  void onlyLoopbackAddressesCountAsLoopback() {
    for (String yes :
        new String[] {"localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1"}) {
      assertThat(HostPort.isLoopback(yes)).as(yes).isTrue();
    }
    for (String no :
        new String[] {
          "0.0.0.0",
          "10.0.0.5",
          "127.0.0.1.nip.io",
          "evil.localhost",
          "localhost.evil.example",
          "::",
          "::ffff:10.0.0.1",
          "1127.0.0.1",
          ""
        }) {
      assertThat(HostPort.isLoopback(no)).as(no).isFalse();
    }
  }

  @Test
  void plainHttpToANameThatMerelyLooksLikeLoopbackIsRefused() {
    assertThat(
            ControllerConfigTest.errors(
                ControllerConfigTest.API
                    + "hosts: [{name: h, agent: 'http://127.0.0.1.nip.io:7000', tokenFile: t}]"))
        .singleElement()
        .asString()
        .contains("plain http is only allowed to a loopback address");
  }
}
