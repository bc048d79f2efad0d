package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.agent.api.Problem;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.service.ServiceRecord;
import dev.stamp.runtime.service.ServiceState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A spec publishes 0..N ports: the wire accepts them, the template maps each, in order. */
class ServiceTemplatePortsTest {

  static ServiceSpec withPorts(List<ServiceSpec.Port> ports, ServiceSpec.Healthcheck health) {
    ServiceSpec s = AgentApiTest.spec(2);
    return new ServiceSpec(
        s.image(),
        s.command(),
        s.entrypoint(),
        s.env(),
        ports,
        s.volumes(),
        s.secrets(),
        s.resources(),
        s.user(),
        s.workingDir(),
        s.readOnly(),
        s.init(),
        health,
        s.replicas(),
        s.update(),
        s.stopSignal(),
        s.stopGracePeriod(),
        s.restart());
  }

  static ServiceSpec.Healthcheck check(String... test) {
    return new ServiceSpec.Healthcheck(List.of(test), "PT0.2S", "PT1S", 2, null, null);
  }

  @Test
  void noPortsMapToNoFronts() throws Exception {
    ServiceSpec spec = withPorts(List.of(), check("CMD-SHELL", "true"));
    assertThat(spec.problems()).isEmpty();
    assertThat(ServiceTemplate.of(spec, List.of(), List.of()).fronts()).isEmpty();
    assertThat(withPorts(null, null).problems()).as("no ports and no check").isEmpty();
  }

  @Test
  void severalPortsMapInOrder() throws Exception {
    ServiceSpec spec =
        withPorts(
            List.of(
                new ServiceSpec.Port(80, 8080, "127.0.0.1", null),
                new ServiceSpec.Port(443, 8443, null, "tcp"),
                new ServiceSpec.Port(53, 5353, null, "udp")),
            null);
    assertThat(spec.problems()).isEmpty();
    assertThat(ServiceTemplate.of(spec, List.of(), List.of()).fronts())
        .containsExactly(
            PortMapping.of("127.0.0.1", 8080, 80, "tcp"),
            PortMapping.of("0.0.0.0", 8443, 443, "tcp"),
            PortMapping.of("0.0.0.0", 5353, 53, "udp"));
  }

  @Test
  void aHostPortTwiceIsAProblemNamingIt() {
    ServiceSpec spec =
        withPorts(
            List.of(
                new ServiceSpec.Port(80, 8080, null, null),
                new ServiceSpec.Port(81, 8080, null, "tcp")),
            null);
    assertThat(spec.problems())
        .containsExactly(new Problem("ports[1].published", "port 8080/tcp twice"));
  }

  @Test
  void aCheckProbedFromTheHostNeedsAPort() {
    for (String[] test : List.of(new String[] {"TCP"}, new String[] {"HTTP", "/health"})) {
      assertThat(withPorts(List.of(), check(test)).problems())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.field()).isEqualTo("healthcheck.test");
                assertThat(p.message()).contains("ports is empty").contains("CMD");
              });
    }
    assertThat(withPorts(List.of(), check("NONE")).problems()).isEmpty();
    assertThat(withPorts(List.of(), check("CMD", "true")).problems()).isEmpty();
  }

  @Test
  void aCheckMayNameTheContainerPortItProbes() throws Exception {
    ServiceSpec worker = withPorts(List.of(), check("TCP", "5432"));
    assertThat(worker.problems()).isEmpty();
    assertThat(ServiceTemplate.of(worker, List.of(), List.of()).health().port()).hasValue(5432);
    ServiceSpec web =
        withPorts(
            List.of(new ServiceSpec.Port(80, 8080, null, null)), check("HTTP", "/metrics", "9100"));
    assertThat(web.problems()).isEmpty();
    assertThat(ServiceTemplate.of(web, List.of(), List.of()).health().test())
        .containsExactly("HTTP", "/metrics", "9100");
    assertThat(withPorts(List.of(), check("TCP", "x")).problems())
        .extracting(Problem::field)
        .containsExactly("healthcheck.test");
    assertThat(withPorts(List.of(), check("HTTP", "/h", "0")).problems())
        .extracting(Problem::field)
        .containsExactly("healthcheck.test");
  }

  @Test
  void aBadPortIsNamedByItsIndex() {
    ServiceSpec spec =
        withPorts(
            List.of(
                new ServiceSpec.Port(80, 8080, null, null),
                new ServiceSpec.Port(443, 8443, "not-an-ip", null)),
            null);
    assertThat(spec.problems()).extracting(Problem::field).containsExactly("ports[1].hostIp");
    assertThatThrownBy(() -> ServiceTemplate.of(spec, List.of(), List.of()))
        .hasMessageContaining("ports[1]");
  }

  @Test
  void aReplaceMayNotMoveTheServicesPorts() throws Exception {
    ServiceSpec spec =
        withPorts(
            List.of(
                new ServiceSpec.Port(80, 8080, "127.0.0.1", null),
                new ServiceSpec.Port(443, 8443, "127.0.0.1", null)),
            null);
    ServiceTemplate t = ServiceTemplate.of(spec, List.of(), List.of());
    t.refusePortChange("web", running(t.fronts()));
    assertThatThrownBy(
            () ->
                t.refusePortChange("web", running(List.of(PortMapping.parse("127.0.0.1:8080:80")))))
        .isInstanceOfSatisfying(
            HostRuntimeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "replace service web: ports change from [127.0.0.1:8080->80/tcp] to"
                          + " [127.0.0.1:8080->80/tcp, 127.0.0.1:8443->443/tcp], and a running"
                          + " service's published ports cannot be changed in place yet; delete"
                          + " the service and put it again");
            });
    ServiceTemplate none = ServiceTemplate.of(withPorts(List.of(), null), List.of(), List.of());
    none.refusePortChange("worker", running(List.of()));
    assertThatThrownBy(() -> none.refusePortChange("worker", running(t.fronts())))
        .hasMessageContaining("to none");
  }

  static ServiceRecord running(List<PortMapping> fronts) {
    return new ServiceRecord(
        "web", 2, "img", fronts, null, List.of(), null, null, ServiceState.RUNNING, 0, null, null);
  }
}
