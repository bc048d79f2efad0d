package dev.stamp.controller.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.api.AppView;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.controller.api.SyncAccepted;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.ReleaseState;
import dev.stamp.runtime.StampException;
import dev.stamp.testkit.GitOpsRepo;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sync windows end to end (a Quartz-cron deny window from 12:00 to 13:00 UTC, the controller's
 * clock moved into and out of it), with a real agent and the real builder: inside the window a push
 * is not deployed, and the app's status and the API say it is held and until when; a manual sync
 * without the override is refused (409, saying how to override); with the override it deploys; once
 * the window has closed auto-sync deploys the commit that waited.
 */
@RequiresRoot
class SyncWindowIT {

  static final Instant BEFORE = Instant.parse("2026-03-02T11:00:00Z");
  static final Instant INSIDE = Instant.parse("2026-03-02T12:30:00Z");
  static final Instant CLOSES = Instant.parse("2026-03-02T13:00:00Z");
  static final Instant AFTER = Instant.parse("2026-03-02T13:30:00Z");

  @TempDir Path tmp;
  @AutoClose ControllerHarness h;

  @Test
  void aDenyWindowHoldsAutoSyncAManualSyncNeedsTheOverrideAndAutoSyncResumesAfter()
      throws Exception {
    h = ControllerHarness.prepare(tmp).host("a", Map.of("role", "web"));
    h.pushV1(ControllerHarness.webApp("", ""));
    ControllerHarness.MovableClock clock = new ControllerHarness.MovableClock(BEFORE);
    Controller c =
        h.start(
            ", syncWindows: [{kind: deny, schedule: '0 0 12 * * ?', duration: 1h, timeZone: UTC,"
                + " apps: ['*'], manualSync: true}]",
            "",
            clock);
    // before the window: a poll deploys
    c.syncAllNow("poll");
    h.assertState("shop", AppState.SYNCED);
    Release v1 = c.store().lastGood("shop").orElseThrow();

    // inside: a pushed commit waits, and says so
    clock.set(INSIDE);
    String v2 = h.push("web: v2", "shop/web/index.html", "v2\n");
    c.syncAllNow("webhook");
    c.syncAllNow("poll");
    var held = h.assertState("shop", AppState.OUT_OF_SYNC);
    assertThat(held.message())
        .contains(v2.substring(0, 12) + " not deployed")
        .contains("held by the sync windows of repository shop until " + CLOSES)
        .contains("stamp sync shop --override-window");
    assertThat(held.desiredCommit()).contains(v2);
    ControllerClient api = new ControllerClient(h.started.api(), ControllerHarness.API_TOKEN);
    AppView view = api.app("shop");
    assertThat(view.state()).isEqualTo("out-of-sync");
    assertThat(view.message()).contains("until " + CLOSES);
    assertThat(c.store().history("shop", 10)).hasSize(1);
    assertThat(h.images("a", "shop.web"))
        .singleElement()
        .asString()
        .endsWith(v1.digests().get("web"));

    // a manual sync without the override: refused, saying until when and how to override
    assertThatThrownBy(() -> api.sync("shop", Optional.empty(), false))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> assertThat(e.kind()).isEqualTo(StampException.Kind.CONFLICT))
        .hasMessageContaining("hold syncs now until " + CLOSES)
        .hasMessageContaining("stamp sync shop --override-window");
    assertThat(c.store().history("shop", 10)).hasSize(1);

    // with the override (the window allows manual syncs): deployed
    SyncAccepted forced = api.sync("shop", Optional.empty(), true);
    GitOpsRepo.await(
        () -> c.store().release(forced.release()).orElseThrow().state().finished(),
        "the overriding sync's release " + forced.release());
    Release r2 = c.store().release(forced.release()).orElseThrow();
    assertThat(r2.state()).as(r2.error().orElse("")).isEqualTo(ReleaseState.SUCCEEDED);
    assertThat(r2.commit()).isEqualTo(v2);
    assertThat(h.images("a", "shop.web"))
        .singleElement()
        .asString()
        .endsWith(r2.digests().get("web"));

    // another push inside the window waits; after the window closes a poll deploys it
    String v3 = h.push("web: v3", "shop/web/index.html", "v3\n");
    c.syncAllNow("poll");
    assertThat(h.assertState("shop", AppState.OUT_OF_SYNC).message()).contains("until " + CLOSES);
    clock.set(AFTER);
    c.syncAllNow("poll");
    h.assertState("shop", AppState.SYNCED);
    Release r3 = c.store().lastGood("shop").orElseThrow();
    assertThat(r3.commit()).isEqualTo(v3);
    assertThat(r3.trigger()).isEqualTo("poll");
    assertThat(h.images("a", "shop.web"))
        .singleElement()
        .asString()
        .endsWith(r3.digests().get("web"));
  }
}
