package dev.stamp.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DesiredAppTest {

  static ComposeApp load(String yaml) throws Exception {
    return ComposeLoader.load(
        "apps/shop/compose.yaml",
        yaml.getBytes(StandardCharsets.UTF_8),
        "/srv/apps/shop",
        path -> Optional.empty(),
        Map.of());
  }

  static final String YAML =
      """
      name: shop
      services:
        web:
          build: ./web
          ports: ["127.0.0.1:8080:80"]
          depends_on:
            db: {condition: service_healthy}
          deploy:
            replicas: 4
            placement: {constraints: ["node.labels.role == web"]}
            update_config: {parallelism: 2, delay: 5s, failure_action: rollback, monitor: 10s}
            rollback_config: {parallelism: 0}
        db:
          build: ./db
      """;

  @Test
  void aComposeAppWithBuiltImagesIsTheDesiredApp() throws Exception {
    DesiredApp app =
        DesiredApp.of(
            load(YAML),
            "a1b2c3d",
            Map.of("web", RolloutTest.image("web", "v1"), "db", RolloutTest.image("db", "v1")));
    assertThat(app.name()).isEqualTo("shop");
    assertThat(app.release()).isEqualTo("a1b2c3d");
    DesiredService web = app.service("web").orElseThrow();
    assertThat(web.spec().image()).isEqualTo(RolloutTest.image("web", "v1"));
    assertThat(web.replicas()).isEqualTo(4);
    assertThat(web.constraints()).containsExactly("node.labels.role == web");
    assertThat(web.dependsOn()).containsKey("db");
    assertThat(web.dependsOn().get("db").condition()).isEqualTo("service_healthy");
    assertThat(web.update())
        .isEqualTo(
            new UpdatePolicy(
                2, Duration.ofSeconds(5), "start-first", "rollback", Duration.ofSeconds(10)));
    assertThat(web.rollback().parallelism()).isZero();
    assertThat(web.rollback().failureAction()).isEqualTo("pause");
    assertThat(app.service("db").orElseThrow().update()).isEqualTo(UpdatePolicy.DEFAULT);
    assertThat(app.services()).extracting(DesiredService::name).containsExactly("web", "db");
  }

  @Test
  void aServiceWithoutAnImageDigestIsBadInput() {
    assertThatThrownBy(
            () ->
                DesiredApp.of(load(YAML), "a1b2c3d", Map.of("web", RolloutTest.image("web", "v1"))))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("app shop at a1b2c3d, service db: no image digest");
  }

  @Test
  void servicesMustBeUniqueAndImagesByDigest() {
    assertThatThrownBy(
            () ->
                new DesiredApp(
                    "shop",
                    "a1",
                    List.of(
                        RolloutTest.service("web", "v1", 1), RolloutTest.service("web", "v2", 1))))
        .hasMessageContaining("service web twice");
    assertThatThrownBy(
            () ->
                DesiredService.of(
                    "web",
                    SpecDigestTest.withEnv(
                        new dev.stamp.agent.api.ServiceSpec(
                            "busybox:latest",
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null),
                        Map.of())))
        .hasMessageContaining("by digest");
  }
}
