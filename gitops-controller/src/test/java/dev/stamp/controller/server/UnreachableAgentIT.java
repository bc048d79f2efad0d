package dev.stamp.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.controller.api.AppView;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.ReleaseState;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose agent stops answering mid-life, with two real agents and the real builder: the sync
 * retries the agent with backoff, then leaves the host out; the release ends PARTIAL naming the
 * host and why; the other host runs the new version and the unreachable one keeps what it ran (the
 * same container). Once the agent answers again, the next sync converges to SYNCED.
 */
@RequiresRoot
class UnreachableAgentIT {

  @TempDir Path tmp;
  @AutoClose ControllerHarness h;

  @Test
  void aSyncRetriesLeavesTheHostOutEndsPartialAndConvergesWhenTheAgentIsBack() throws Exception {
    h = ControllerHarness.prepare(tmp);
    h.host("a", Map.of("role", "web")).host("b", Map.of("role", "web"));
    h.pushV1(
        ControllerHarness.webApp(
            "replicas: 2, ",
            "    healthcheck: {test: [CMD, wget, -q, -O, /dev/null, 'http://127.0.0.1/index.html'],"
                + " interval: 1s, retries: 20}\n"));
    Controller c = h.start("", "", Clock.systemUTC());
    c.syncAllNow("manual");
    h.assertState("shop", AppState.SYNCED);
    Release v1 = c.store().lastGood("shop").orElseThrow();
    String image1 = v1.digests().get("web");
    assertThat(h.images("a", "shop.web")).singleElement().asString().endsWith(image1);
    assertThat(h.images("b", "shop.web")).singleElement().asString().endsWith(image1);
    List<String> bContainers = h.hosts.get("b").containers("shop.web");

    // b's agent stops answering; v2 is pushed and synced
    h.hosts.get("b").stopApi();
    String v2commit = h.push("web: v2", "shop/web/index.html", "v2\n");
    c.syncAllNow("manual");

    Release v2 = c.store().history("shop", 1).get(0);
    assertThat(v2.commit()).isEqualTo(v2commit);
    assertThat(v2.state()).as(v2.error().orElse("")).isEqualTo(ReleaseState.PARTIAL);
    assertThat(v2.error().orElseThrow()).contains("unreachable b");
    assertThat(v2.hosts())
        .anySatisfy(
            r -> {
              assertThat(r.host()).isEqualTo("b");
              assertThat(r.result()).isEqualTo("failed");
              assertThat(r.message()).contains("agent unreachable").contains("after 5 attempts");
            })
        .anySatisfy(
            r -> {
              assertThat(r.host()).isEqualTo("a");
              assertThat(r.result()).isEqualTo("succeeded");
            });
    var degraded = h.assertState("shop", AppState.DEGRADED);
    assertThat(degraded.message()).contains("partial").contains("unreachable b");
    // the API says the same, and the event stream shows the retries with their backoff
    AppView view = new ControllerClient(h.started.api(), ControllerHarness.API_TOKEN).app("shop");
    assertThat(view.state()).isEqualToIgnoringCase("degraded");
    assertThat(view.message()).contains("unreachable b");
    assertThat(h.events("shop"))
        .anyMatch(e -> e.contains("\"retrying\"") && e.contains("attempt 2 of 5 in 1000 ms"))
        .anyMatch(e -> e.contains("attempt 5 of 5 in 8000 ms"))
        .anyMatch(e -> e.contains("agent unreachable, host left out of this rollout"));

    // a runs v2; b, back, still runs v1 in the very same container
    String image2 = v2.digests().get("web");
    assertThat(image2).isNotEqualTo(image1);
    assertThat(h.images("a", "shop.web")).singleElement().asString().endsWith(image2);
    h.hosts.get("b").startApi();
    assertThat(h.images("b", "shop.web")).singleElement().asString().endsWith(image1);
    assertThat(h.hosts.get("b").containers("shop.web")).isEqualTo(bContainers);

    // the next sync converges: b gets v2, the release succeeds, the app is SYNCED
    c.syncAllNow("manual");
    h.assertState("shop", AppState.SYNCED);
    Release converged = c.store().lastGood("shop").orElseThrow();
    assertThat(converged.id()).isGreaterThan(v2.id());
    assertThat(converged.state()).isEqualTo(ReleaseState.SUCCEEDED);
    assertThat(converged.commit()).isEqualTo(v2commit);
    assertThat(h.images("b", "shop.web")).singleElement().asString().endsWith(image2);
  }
}
