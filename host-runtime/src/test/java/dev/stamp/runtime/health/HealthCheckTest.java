package dev.stamp.runtime.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.ImageJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

  /** Docker's image-config HEALTHCHECK, as Stamp wrote it before the health model was one. */
  static final String IMAGE_JSON =
      "{\"Test\":[\"CMD\",\"/bin/check\",\"-q\"],\"Interval\":1000000000,\"Timeout\":2000000000,"
          + "\"StartPeriod\":3000000000,\"StartInterval\":4000000000,\"Retries\":5}";

  @Test
  void imageConfigJsonRoundTripsByteForByte() throws Exception {
    HealthCheck check =
        ImageJson.read(IMAGE_JSON.getBytes(StandardCharsets.UTF_8), HealthCheck.class, "health");
    assertThat(check)
        .isEqualTo(
            HealthCheck.cmd(List.of("/bin/check", "-q"))
                .withInterval(Duration.ofSeconds(1))
                .withTimeout(Duration.ofSeconds(2))
                .withStartPeriod(Duration.ofSeconds(3))
                .withStartInterval(Duration.ofSeconds(4))
                .withRetries(5));
    assertThat(new String(ImageJson.write(check), StandardCharsets.UTF_8)).isEqualTo(IMAGE_JSON);
    // unset fields stay out, as in Docker's configs; inside a container config too
    assertThat(new String(ImageJson.write(HealthCheck.shell("true")), StandardCharsets.UTF_8))
        .isEqualTo("{\"Test\":[\"CMD-SHELL\",\"true\"]}");
    String config = "{\"Healthcheck\":{\"Test\":[\"NONE\"]}}";
    ContainerConfig c =
        ImageJson.read(config.getBytes(StandardCharsets.UTF_8), ContainerConfig.class, "config");
    assertThat(c.healthcheck().kind()).isEqualTo(HealthCheck.Kind.NONE);
    assertThat(new String(ImageJson.write(c), StandardCharsets.UTF_8)).isEqualTo(config);
  }

  @Test
  void cmdRunsArgvCmdShellRunsAShellNoneDisables() {
    HealthCheck cmd = HealthCheck.ofTest(List.of("CMD", "test", "-f", "/ok"));
    assertThat(cmd.kind()).isEqualTo(HealthCheck.Kind.CMD);
    assertThat(cmd.kind().inContainer()).isTrue();
    assertThat(cmd.argv()).containsExactly("test", "-f", "/ok");
    HealthCheck shell = HealthCheck.ofTest(List.of("CMD-SHELL", "test -f /ok || exit 1"));
    assertThat(shell.kind()).isEqualTo(HealthCheck.Kind.CMD_SHELL);
    assertThat(shell.argv()).containsExactly("/bin/sh", "-c", "test -f /ok || exit 1");
    assertThat(shell.describe()).isEqualTo("cmd \"test -f /ok || exit 1\"");
    HealthCheck none = HealthCheck.ofTest(List.of("NONE"));
    assertThat(none).isEqualTo(HealthCheck.none());
    assertThat(none.kind().inContainer()).isFalse();
    assertThat(none.argv()).isEmpty();
    assertThat(HealthCheck.inherit().kind()).isEqualTo(HealthCheck.Kind.INHERIT);
    assertThat(HealthCheck.ofTest(null).kind()).isEqualTo(HealthCheck.Kind.INHERIT);
  }

  @Test
  void httpAndTcpProbeFromTheHost() {
    HealthCheck http = HealthCheck.http("/health");
    assertThat(http.test()).containsExactly("HTTP", "/health");
    assertThat(http.kind()).isEqualTo(HealthCheck.Kind.HTTP);
    assertThat(http.httpPath()).isEqualTo("/health");
    assertThat(http.kind().inContainer()).isFalse();
    assertThat(http.describe()).isEqualTo("http /health");
    assertThat(HealthCheck.tcp().test()).containsExactly("TCP");
    assertThat(HealthCheck.tcp().describe()).isEqualTo("tcp");
  }

  @Test
  void defaultsAreDockersAndAMergeTakesTheBasesWhereUnset() {
    HealthCheck bare = HealthCheck.tcp();
    assertThat(bare.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(bare.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(bare.startPeriod()).isZero();
    assertThat(bare.startInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(bare.retryLimit()).isEqualTo(3);

    HealthCheck image =
        HealthCheck.shell("check").withInterval(Duration.ofSeconds(7)).withRetries(4);
    HealthCheck given = HealthCheck.inherit().withTimeout(Duration.ofSeconds(1));
    HealthCheck merged = given.over(image);
    assertThat(merged.test()).containsExactly("CMD-SHELL", "check");
    assertThat(merged.interval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(merged.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(merged.retryLimit()).isEqualTo(4);
    assertThat(HealthCheck.none().over(image).kind()).isEqualTo(HealthCheck.Kind.NONE);
    assertThat(HealthCheck.http("/h").over(image).test()).containsExactly("HTTP", "/h");
    assertThat(given.over(null)).isEqualTo(given);
  }

  @Test
  void httpAndTcpMayNameTheContainerPortToProbe() {
    HealthCheck http = HealthCheck.ofTest(List.of("HTTP", "/health", "8080"));
    assertThat(http.problems("hc")).isEmpty();
    assertThat(http.port()).hasValue(8080);
    assertThat(http.httpPath()).isEqualTo("/health");
    assertThat(http.describe()).isEqualTo("http /health port 8080");
    HealthCheck tcp = HealthCheck.ofTest(List.of("TCP", "5432"));
    assertThat(tcp.problems("hc")).isEmpty();
    assertThat(tcp.port()).hasValue(5432);
    assertThat(tcp.describe()).isEqualTo("tcp port 5432");
    assertThat(HealthCheck.tcp().port()).isEmpty();
    assertThat(HealthCheck.http("/h").port()).isEmpty();
    assertThat(HealthCheck.shell("true").port()).isEmpty();

    assertThat(HealthCheck.ofTest(List.of("TCP", "0")).problems("hc"))
        .containsExactly("hc.test [TCP, 0]: TCP takes at most a container port (1-65535)");
    assertThat(HealthCheck.ofTest(List.of("TCP", "80", "81")).problems("hc")).hasSize(1);
    assertThat(HealthCheck.ofTest(List.of("HTTP", "/h", "http")).problems("hc"))
        .containsExactly(
            "hc.test [HTTP, /h, http]: HTTP's third element is a container port (1-65535)");
    assertThat(HealthCheck.ofTest(List.of("HTTP", "/h", "70000")).problems("hc")).hasSize(1);
  }

  @Test
  void everyProblemIsReportedUnderTheCallersPath() {
    HealthCheck bad =
        new HealthCheck(List.of("PING"), 5L, null, -1L, null, -2).withTimeout(Duration.ofNanos(10));
    assertThat(bad.problems("services.web.healthcheck"))
        .containsExactly(
            "services.web.healthcheck.test [PING]: expected NONE, CMD, CMD-SHELL, HTTP or TCP",
            "services.web.healthcheck.interval PT0.000000005S: must be at least 1ms (or 0: the"
                + " default)",
            "services.web.healthcheck.timeout PT0.00000001S: must be at least 1ms (or 0: the"
                + " default)",
            "services.web.healthcheck.startPeriod PT-0.000000001S: must not be negative",
            "services.web.healthcheck.retries -2: must not be negative");
    assertThatThrownBy(() -> HealthCheck.ofTest(List.of("CMD")).check("hc"))
        .hasMessage("hc.test [CMD]: CMD needs a command");
    assertThatThrownBy(() -> HealthCheck.ofTest(List.of("CMD-SHELL", "a", "b")).check("hc"))
        .hasMessage("hc.test [CMD-SHELL, a, b]: CMD-SHELL needs one command string");
    assertThatThrownBy(() -> HealthCheck.ofTest(List.of("NONE", "x")).check("hc"))
        .hasMessage("hc.test [NONE, x]: NONE takes no arguments");
  }
}
