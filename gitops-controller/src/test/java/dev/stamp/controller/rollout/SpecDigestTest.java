package dev.stamp.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.DesiredStore;
import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.runtime.StampRoot;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecDigestTest {

  @TempDir Path tmp;

  static ServiceSpec full() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("Z", "last");
    env.put("A", "first");
    return new ServiceSpec(
        RolloutTest.image("web", "v1"),
        List.of("httpd", "-f"),
        List.of("/bin/sh", "-c"),
        env,
        List.of(new ServiceSpec.Port(80, 8080, "127.0.0.1", null)),
        List.of(new ServiceSpec.Volume("volume", "shop_data", "/data", null)),
        List.of(new ServiceSpec.Secret("tls", "/srv/tls.pem")),
        new ServiceSpec.Resources(256L << 20, 0.5, 100L),
        "1000:1000",
        "/srv",
        true,
        null,
        new ServiceSpec.Healthcheck(List.of("CMD", "true"), "PT1S", null, 3, null, null),
        2,
        new ServiceSpec.Update("start-first", 1, "PT2S"),
        "SIGQUIT",
        "PT20S",
        null);
  }

  @Test
  void isTheDigestTheAgentReportsForTheSpecItReceivedOverTheWire() throws Exception {
    DesiredStore agent = new DesiredStore(new StampRoot(tmp), Clock.systemUTC());
    for (ServiceSpec spec : List.of(full(), RolloutTest.spec("db", "v1", 1))) {
      ServiceSpec received =
          AgentClient.JSON.readValue(AgentClient.JSON.writeValueAsString(spec), ServiceSpec.class);
      String name = "shop." + (spec.ports().isEmpty() ? "db" : "web");
      assertThat(SpecDigest.of(spec)).isEqualTo(agent.put(name, received).specDigest());
    }
  }

  @Test
  void withersChangeTheirFieldAndKeepEveryOther() {
    ServiceSpec a = full();
    ServiceSpec b =
        a.withImage("sha256:" + "b".repeat(64))
            .withEnv(Map.of("K", "v"))
            .withReplicas(7)
            .withUpdate(null)
            .withRestart("always");
    assertThat(b.image()).isEqualTo("sha256:" + "b".repeat(64));
    assertThat(b.env()).containsExactly(Map.entry("K", "v"));
    assertThat(b.replicas()).isEqualTo(7);
    assertThat(b.update()).isNull();
    assertThat(b.restart()).isEqualTo("always");
    assertThat(
            b.withImage(a.image())
                .withEnv(a.env())
                .withReplicas(a.replicas())
                .withUpdate(a.update())
                .withRestart(a.restart()))
        .isEqualTo(a);
    assertThat(a.withReplicas(a.replicas())).isEqualTo(a).isNotSameAs(a);
  }

  @Test
  void mapOrderDoesNotMatterAnyOtherChangeDoes() {
    ServiceSpec a = full();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("A", "first");
    env.put("Z", "last");
    assertThat(SpecDigest.of(withEnv(a, env))).isEqualTo(SpecDigest.of(a));
    env.put("Z", "changed");
    assertThat(SpecDigest.of(withEnv(a, env))).isNotEqualTo(SpecDigest.of(a));
    assertThat(SpecDigest.of(SpecDigest.withReplicas(a, 3))).isNotEqualTo(SpecDigest.of(a));
  }

  @Test
  void aDriftReplacementMatchesItsSpecOnlyAtTheGenerationItCreated() {
    ServiceSpec a = full();
    String marked = SpecDigest.of(SpecDigest.withReplaceMarker(a, 4));
    assertThat(SpecDigest.matches(a, marked, 4)).isTrue();
    assertThat(SpecDigest.matches(a, marked, 5)).isFalse();
    assertThat(SpecDigest.matches(a, SpecDigest.of(a), 9)).isTrue();
  }

  static ServiceSpec withEnv(ServiceSpec s, Map<String, String> env) {
    return new ServiceSpec(
        s.image(),
        s.command(),
        s.entrypoint(),
        env,
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
  }
}
