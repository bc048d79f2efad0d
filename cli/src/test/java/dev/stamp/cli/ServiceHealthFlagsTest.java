package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.health.HealthCheck;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code stamp service run}'s health flags become one {@link HealthCheck}. */
class ServiceHealthFlagsTest {

  @Test
  void withoutATestTheImagesCheckIsInheritedAndTimingsOverrideIt() throws Exception {
    ServiceCommand.Run run = new ServiceCommand.Run();
    assertThat(run.health()).isEqualTo(HealthCheck.inherit());
    run.healthInterval = "500ms";
    run.healthRetries = 2;
    HealthCheck check = run.health();
    assertThat(check.kind()).isEqualTo(HealthCheck.Kind.INHERIT);
    assertThat(check.interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(check.retryLimit()).isEqualTo(2);
  }

  @Test
  void eachFlagNamesItsTest() throws Exception {
    ServiceCommand.Run cmd = new ServiceCommand.Run();
    cmd.healthCmd = "test -f /ok";
    assertThat(cmd.health().test()).containsExactly("CMD-SHELL", "test -f /ok");
    ServiceCommand.Run url = new ServiceCommand.Run();
    url.healthUrl = "/health";
    url.healthStartPeriod = "1s";
    url.healthStartInterval = "100ms";
    assertThat(url.health())
        .isEqualTo(
            HealthCheck.http("/health")
                .withStartPeriod(Duration.ofSeconds(1))
                .withStartInterval(Duration.ofMillis(100)));
    ServiceCommand.Run none = new ServiceCommand.Run();
    none.noHealthcheck = true;
    assertThat(none.health()).isEqualTo(HealthCheck.none());
    ServiceCommand.Run tcp = new ServiceCommand.Run();
    tcp.healthTcp = true;
    assertThat(tcp.health()).isEqualTo(HealthCheck.tcp());
  }

  @Test
  void everyBadFlagIsReportedAtOnce() {
    ServiceCommand.Run run = new ServiceCommand.Run();
    run.healthCmd = "true";
    run.healthUrl = "health";
    run.healthInterval = "5";
    run.healthRetries = 0;
    assertThatThrownBy(run::health)
        .hasMessage(
            "give one of --health-cmd, --health-url, --health-tcp, --no-healthcheck;"
                + " --health-url health: expected an absolute path like /health;"
                + " --health-retries 0: must be at least 1;"
                + " --health-interval 5: expected a duration like 500ms, 1s, 1.5s or 2m");
  }
}
