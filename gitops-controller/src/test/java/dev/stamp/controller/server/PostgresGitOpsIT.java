package dev.stamp.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.ReleaseState;
import dev.stamp.testkit.PostgresServer;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One GitOps loop with the controller's store on a real PostgreSQL (the throwaway cluster of the
 * test kit; the store's own suite runs on it too): the schema works end to end there, with the real
 * builder and a real agent. A merge deploys, a change rebuilds, a revert brings back the first
 * digest (its build key found in the catalogue on PostgreSQL: a rebuild would carry the revert's
 * revision label), and the releases and events are read back from there.
 */
@RequiresRoot
class PostgresGitOpsIT {

  @TempDir Path tmp;
  @AutoClose ControllerHarness h;

  @Test
  void aMergeDeploysAndARevertBringsBackTheSameDigestWithTheStoreOnPostgres() throws Exception {
    h = ControllerHarness.prepare(tmp).host("a", Map.of("role", "web"));
    PostgresServer pg = h.closing(PostgresServer.start());
    String v1 = h.pushV1(ControllerHarness.webApp("", ""));
    String database =
        "database: {url: '"
            + pg.jdbcUrl(pg.createDatabase())
            + "', user: "
            + pg.user()
            + ", passwordFile: "
            + h.secret("pg-password", pg.password())
            + "}\n";
    Controller c = h.start("", database, Clock.systemUTC());
    assertThat(c.store().settings().jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:");

    c.syncAllNow("manual");
    h.assertState("shop", AppState.SYNCED);
    Release first = c.store().lastGood("shop").orElseThrow();
    assertThat(first.commit()).isEqualTo(v1);

    h.push("web: v2", "shop/web/index.html", "v2\n");
    c.syncAllNow("manual");
    h.assertState("shop", AppState.SYNCED);
    Release second = c.store().lastGood("shop").orElseThrow();
    assertThat(second.digests().get("web")).isNotEqualTo(first.digests().get("web"));
    assertThat(h.images("a", "shop.web"))
        .singleElement()
        .asString()
        .endsWith(second.digests().get("web"));

    h.repo.revert();
    String reverted = h.repo.push();
    c.syncAllNow("manual");
    h.assertState("shop", AppState.SYNCED);
    Release back = c.store().lastGood("shop").orElseThrow();
    assertThat(back.commit()).isEqualTo(reverted);
    assertThat(back.state()).isEqualTo(ReleaseState.SUCCEEDED);
    assertThat(back.digests()).isEqualTo(first.digests());
    assertThat(h.images("a", "shop.web"))
        .singleElement()
        .asString()
        .endsWith(first.digests().get("web"));
    // what the API reads comes back from PostgreSQL
    assertThat(c.store().history("shop", 10))
        .extracting(Release::id)
        .contains(first.id(), second.id(), back.id());
    assertThat(h.events("shop")).anyMatch(e -> e.contains("\"succeeded\""));
  }
}
