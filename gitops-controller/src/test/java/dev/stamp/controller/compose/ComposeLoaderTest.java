package dev.stamp.controller.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.StampException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ComposeLoaderTest {

  static ComposeApp load(String yaml, Map<String, String> files, Map<String, String> env)
      throws ComposeException {
    return ComposeLoader.load(
        "apps/shop/compose.yaml",
        yaml.getBytes(StandardCharsets.UTF_8),
        "/srv/apps/shop",
        path -> Optional.ofNullable(files.get(path)).map(s -> s.getBytes(StandardCharsets.UTF_8)),
        env);
  }

  static ComposeApp load(String yaml) throws ComposeException {
    return load(yaml, Map.of(), Map.of());
  }

  @Test
  void everyProblemAtOnceWithFileLineColumnAndPath() {
    String yaml =
        """
        services:
          web:
            image: nginx
            ports:
              - "8080:80"
              - true
            deploy:
              replicas: many
            stop_grace_period: soon
        """;
    assertThatThrownBy(() -> load(yaml))
        .isInstanceOfSatisfying(
            ComposeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.problems())
                  .extracting(Object::toString)
                  .containsExactly(
                      "apps/shop/compose.yaml:6:9: services.web.ports[1]: expected"
                          + " \"[HOST_IP:][HOST:]CONTAINER[/PROTO]\" or a mapping with target, got"
                          + " the boolean true",
                      "apps/shop/compose.yaml:8:17: services.web.deploy.replicas: expected an"
                          + " integer, got \"many\"",
                      "apps/shop/compose.yaml:9:24: services.web.stop_grace_period: expected a"
                          + " duration such as 10s, 1m30s or 500ms, got \"soon\"");
            });
  }

  @Test
  void yaml12ScalarsMergeKeysAndTheEnvFileFromProjectFiles() throws Exception {
    String yaml =
        """
        x-common: &common
          image: app:${TAG:-latest}
          stop_signal: SIGQUIT
        services:
          ssh:
            <<: *common
            ports: [2222:22]
            environment:
              ANSWER: yes
              FROM_DOTENV: $GREETING
            secrets:
              - source: key
                mode: 0440
        secrets:
          key:
            file: ./key.pem
        """;
    ComposeApp app = load(yaml, Map.of(".env", "GREETING=hello\nTAG=1.2\n"), Map.of("TAG", "2.0"));
    ComposeService ssh = app.services().get("ssh");
    assertThat(ssh.image()).isEqualTo("app:2.0");
    assertThat(ssh.stopSignal()).isEqualTo("SIGQUIT");
    assertThat(ssh.ports())
        .containsExactly(new ComposeService.Port(22, "2222", null, "tcp", "ingress"));
    assertThat(ssh.environment())
        .containsEntry("ANSWER", "yes")
        .containsEntry("FROM_DOTENV", "hello");
    assertThat(ssh.secrets().get(0).mode()).isEqualTo(0440);
    assertThat(app.secrets().get("key").path()).isEqualTo("/srv/apps/shop/key.pem");
    assertThat(app.name()).isEqualTo("shop");
    assertThat(app.extensions()).containsKey("x-common");
  }

  @Test
  void unknownKeysAreWarningsAndXStampIsKept() throws Exception {
    ComposeApp app =
        load(
            """
            services:
              web:
                image: nginx
                privileged: true
                colour: blue
                x-stamp:
                  hosts: [web-1]
            """);
    assertThat(app.warnings())
        .extracting(Object::toString)
        .containsExactly(
            "apps/shop/compose.yaml:4:5: warning: services.web.privileged: not in Stamp's Compose"
                + " subset, ignored",
            "apps/shop/compose.yaml:5:5: warning: services.web.colour: unknown key, ignored");
    assertThat(app.services().get("web").xStamp())
        .containsEntry("hosts", java.util.List.of("web-1"));
  }

  @Test
  void duplicateKeysAndYamlSyntaxErrorsNameTheLine() {
    assertThatThrownBy(() -> load("services:\n  a:\n    image: x\n    image: y\n"))
        .hasMessage("apps/shop/compose.yaml:4:5: mapping key \"image\" already defined at line 3");
    assertThatThrownBy(() -> load("services:\n  a: [\n"))
        .hasMessageStartingWith("apps/shop/compose.yaml:3:1: not valid YAML at line 3, column 1");
  }

  @Test
  void anAppNeedsServicesAndSecretsNeedAFile() {
    assertThatThrownBy(() -> load("services: {}\n"))
        .hasMessage("apps/shop/compose.yaml:1:11: services: required: at least one service");
    assertThatThrownBy(
            () ->
                load(
                    "services:\n  a:\n    image: x\n    secrets: [s]\n"
                        + "secrets:\n  s:\n    external: true\n"))
        .hasMessage(
            "apps/shop/compose.yaml:7:5: secrets.s: Stamp supports file secrets only: expected"
                + " file: PATH (on the agent's host)");
  }

  @Test
  void durationsAndSizesInCanonicalUnits() {
    assertThat(ComposeSyntax.duration("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ComposeSyntax.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(ComposeSyntax.duration("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(ComposeSyntax.bytes("512m")).isEqualTo(512L << 20);
    assertThat(ComposeSyntax.bytes("1.5g")).isEqualTo(3L << 29);
    assertThatThrownBy(() -> ComposeSyntax.duration("10")).hasMessageContaining("got \"10\"");
  }
}
