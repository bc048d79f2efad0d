package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.runtime.service.ReplaceOptions;
import dev.stamp.runtime.service.ReplaceRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code update.order} and {@code update.delay} reach the replace options; the template digest. */
class ServiceTemplateUpdateTest {

  static ServiceSpec withUpdate(ServiceSpec.Update update, int replicas, String restart) {
    ServiceSpec s = AgentApiTest.spec(replicas);
    return new ServiceSpec(
        s.image(),
        s.command(),
        s.entrypoint(),
        s.env(),
        List.of(new ServiceSpec.Port(80, 8080, "127.0.0.1", "tcp")),
        s.volumes(),
        s.secrets(),
        s.resources(),
        s.user(),
        s.workingDir(),
        s.readOnly(),
        s.init(),
        s.healthcheck(),
        s.replicas(),
        update,
        s.stopSignal(),
        s.stopGracePeriod(),
        restart);
  }

  @Test
  void orderAndDelayBecomeReplaceOptions() throws Exception {
    ReplaceOptions options =
        ServiceTemplate.of(
                withUpdate(new ServiceSpec.Update("stop-first", null, "PT0.5S"), 2, null),
                List.of(),
                List.of())
            .replace();
    assertThat(options.order()).isEqualTo(ReplaceRecord.Order.STOP_FIRST);
    assertThat(options.delay()).isEqualTo(Duration.ofMillis(500));
    assertThat(
            ServiceTemplate.of(withUpdate(null, 1, null), List.of(), List.of()).replace().delay())
        .isZero();
  }

  @Test
  void theTemplateDigestIgnoresReplicasRestartAndUpdateOnly() throws Exception {
    String base = HostEngine.templateDigest(withUpdate(null, 1, null));
    assertThat(
            HostEngine.templateDigest(
                withUpdate(new ServiceSpec.Update("stop-first", 2, "PT1S"), 5, "on-failure:3")))
        .isEqualTo(base);
    ServiceSpec s = AgentApiTest.spec(1);
    ServiceSpec otherImage =
        new ServiceSpec(
            s.image(),
            List.of("httpd", "-f", "-v"),
            s.entrypoint(),
            s.env(),
            s.ports(),
            s.volumes(),
            s.secrets(),
            s.resources(),
            s.user(),
            s.workingDir(),
            s.readOnly(),
            s.init(),
            s.healthcheck(),
            s.replicas(),
            s.update(),
            s.stopSignal(),
            s.stopGracePeriod(),
            s.restart());
    assertThat(HostEngine.templateDigest(otherImage)).isNotEqualTo(base);
  }
}
