package dev.stamp.controller.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.agent.api.ServiceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceSpecsTest {

  private static final String DIGEST = "registry.lan/shop/web@sha256:" + "ab".repeat(32);

  @Test
  void aComposeServiceBecomesTheAgentsSpec() throws Exception {
    ComposeApp app =
        ComposeLoaderTest.load(
            """
            services:
              web:
                build: ./web
                command: httpd -f -p 80
                environment: [MODE=prod, UNSET]
                ports: ["127.0.0.1:8080:80"]
                volumes: ["data:/data", "/srv/static:/static:ro"]
                secrets: [tls]
                healthcheck:
                  test: ["CMD", "wget", "-q", "http://localhost/"]
                  interval: 1m30s
                  start_period: 500ms
                  retries: 3
                user: "1000:1000"
                working_dir: /srv
                read_only: true
                init: true
                stop_signal: SIGQUIT
                stop_grace_period: 20s
                deploy:
                  replicas: 3
                  resources: {limits: {cpus: '0.5', memory: 256m, pids: 100}}
                  update_config: {order: stop-first, parallelism: 1, delay: 2s}
            volumes:
              data: {}
            secrets:
              tls:
                file: ./tls.pem
            """);
    ServiceSpec spec = ServiceSpecs.of(app, app.services().get("web"), DIGEST);
    assertThat(spec.problems()).isEmpty();
    assertThat(spec.image()).isEqualTo(DIGEST);
    assertThat(spec.command()).containsExactly("httpd", "-f", "-p", "80");
    assertThat(spec.env()).isEqualTo(Map.of("MODE", "prod"));
    assertThat(spec.ports()).containsExactly(new ServiceSpec.Port(80, 8080, "127.0.0.1", "tcp"));
    assertThat(spec.volumes())
        .containsExactly(
            new ServiceSpec.Volume("volume", "shop_data", "/data", null),
            new ServiceSpec.Volume("bind", "/srv/static", "/static", true));
    assertThat(spec.secrets())
        .containsExactly(new ServiceSpec.Secret("tls", "/srv/apps/shop/tls.pem"));
    assertThat(spec.healthcheck())
        .isEqualTo(
            new ServiceSpec.Healthcheck(
                List.of("CMD", "wget", "-q", "http://localhost/"),
                "PT1M30S",
                null,
                3,
                "PT0.5S",
                null));
    assertThat(spec.resources()).isEqualTo(new ServiceSpec.Resources(256L << 20, 0.5, 100L));
    assertThat(spec.replicas()).isEqualTo(3);
    assertThat(spec.update()).isEqualTo(new ServiceSpec.Update("stop-first", 1, "PT2S"));
    assertThat(spec.stopGracePeriod()).isEqualTo("PT20S");
    assertThat(spec.readOnly()).isTrue();
    assertThat(spec.init()).isTrue();
  }

  @Test
  void severalPublishedPortsAndNoneMapOneToOne() throws Exception {
    ComposeApp app =
        ComposeLoaderTest.load(
            """
            services:
              web:
                image: nginx
                ports: ["8080:80", "127.0.0.1:8443:443/tcp"]
              worker:
                image: nginx
            """);
    assertThat(ServiceSpecs.of(app, app.services().get("web"), DIGEST).ports())
        .containsExactly(
            new ServiceSpec.Port(80, 8080, null, "tcp"),
            new ServiceSpec.Port(443, 8443, "127.0.0.1", "tcp"));
    assertThat(ServiceSpecs.of(app, app.services().get("worker"), DIGEST).ports()).isEmpty();
  }

  @Test
  void whatTheAgentCannotRunIsAnErrorNamingTheComposeField() throws Exception {
    ComposeApp app =
        ComposeLoaderTest.load(
            """
            services:
              web:
                image: nginx
                ports: ["8080:80", "443"]
                deploy: {replicas: 0, resources: {limits: {memory: 1m}}}
            """);
    assertThatThrownBy(() -> ServiceSpecs.of(app, app.services().get("web"), DIGEST))
        .isInstanceOf(ComposeException.class)
        .hasMessage(
            "apps/shop/compose.yaml:4:24: services.web.ports[1].published: the agent needs a fixed"
                + " host port (HOST:CONTAINER), got none\n"
                + "apps/shop/compose.yaml:5:24: services.web.deploy.replicas: 1 to 256, got 0\n"
                + "apps/shop/compose.yaml:5:56: services.web.deploy.resources.limits.memory: at"
                + " least 6291456 (6 MiB), got 1048576");
  }
}
