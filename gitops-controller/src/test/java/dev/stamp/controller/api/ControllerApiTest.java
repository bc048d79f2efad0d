package dev.stamp.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.controller.ControllerException;
import dev.stamp.testkit.HttpFetch;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API over real HTTP in front of {@link FakeOperations}: the token on every route that needs it
 * (found by walking the routes table), the error mapping from each ControllerException kind, bodies
 * (unknown fields, size, malformed JSON), parameters, unknown routes, metrics.
 */
class ControllerApiTest {

  @TempDir Path dir;
  ServerFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new ServerFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  static String concrete(ControllerApi.Route r) {
    return r.template().replace("{app}", "shop").replace("{id}", "1");
  }

  static JsonNode error(HttpResponse<String> res) throws Exception {
    return Bodies.JSON.readTree(res.body()).get("error");
  }

  @Test
  void everyTokenRouteRefusesAMissingOrWrongToken() throws Exception {
    int checked = 0;
    for (ControllerApi.Route r : ControllerApi.ROUTES) {
      if (r.access() != ControllerApi.Access.TOKEN) {
        continue;
      }
      for (String bad :
          new String[] {
            null,
            "",
            "Bearer",
            "Bearer ",
            "Bearer wrong-token-wrong-token!",
            "Basic " + ServerFixture.TOKEN,
            "Bearer " + ServerFixture.TOKEN + "x",
            "Bearer " + ServerFixture.TOKEN.substring(1),
            ServerFixture.TOKEN
          }) {
        HttpResponse<String> res =
            f.send(r.method(), concrete(r), bad, r.method().equals("POST") ? "{}" : null);
        assertThat(res.statusCode()).as(r + " with " + bad).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate"))
            .hasValue("Bearer realm=\"stamp-controller\"");
        assertThat(error(res).get("code").asText()).isEqualTo("unauthorized");
        assertThat(res.body()).doesNotContain(ServerFixture.TOKEN.substring(4));
        checked++;
      }
    }
    assertThat(checked).isEqualTo(10 * 9);
    // nothing reached the core
    assertThat(f.ops.calls).isEmpty();
  }

  @Test
  void theRightTokenOpensEveryTokenRouteAndHealthzNeedsNone() throws Exception {
    assertThat(f.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    for (ControllerApi.Route r : ControllerApi.ROUTES) {
      if (r.access() != ControllerApi.Access.TOKEN || r.template().endsWith("/events")) {
        continue;
      }
      HttpResponse<String> res =
          f.send(
              r.method(), concrete(r), ServerFixture.AUTH, r.method().equals("POST") ? "" : null);
      assertThat(res.statusCode()).as(r.toString()).isBetween(200, 202);
    }
    assertThat(f.ops.calls)
        .containsExactly(
            "apps",
            "app shop",
            "history shop 20",
            "release shop 1",
            "plan shop -",
            "sync shop - false",
            "rollback shop -");
  }

  @Test
  void eachKindOfFailureHasItsStatusCodeMessageAndRetryability() throws Exception {
    record Case(ControllerException e, int status, String code, boolean retryable) {}
    List<Case> cases =
        List.of(
            new Case(
                ControllerException.badInput("plan shop: revision abc: not in Git"),
                422,
                "bad_input",
                false),
            new Case(
                ControllerException.notFound("app shop: release 9 not found"),
                404,
                "not_found",
                false),
            new Case(
                ControllerException.conflict("sync shop: inside deny window weekend"),
                409,
                "conflict",
                false),
            new Case(
                ControllerException.failed("sync shop: store broken", null), 500, "failed", false),
            new Case(
                ControllerException.unavailable("sync shop: repository unreachable", null),
                503,
                "unavailable",
                true));
    for (Case c : cases) {
      f.ops.failure = c.e();
      HttpResponse<String> res = f.send("POST", "/api/v1/apps/shop/sync", ServerFixture.AUTH, "");
      assertThat(res.statusCode()).as(c.code()).isEqualTo(c.status());
      JsonNode err = error(res);
      assertThat(err.get("code").asText()).isEqualTo(c.code());
      assertThat(err.get("message").asText()).isEqualTo(c.e().getMessage());
      assertThat(err.get("retryable").asBoolean()).isEqualTo(c.retryable());
      assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
    }
    f.ops.failure = null;
    HttpResponse<String> missing = f.send("GET", "/api/v1/apps/nope", ServerFixture.AUTH, null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(error(missing).get("message").asText()).isEqualTo("app nope: not found");
  }

  @Test
  void syncAndRollbackBodiesAreReadStrictly() throws Exception {
    String auth = ServerFixture.AUTH;
    HttpResponse<String> ok =
        f.send(
            "POST",
            "/api/v1/apps/shop/sync",
            auth,
            "{\"revision\":\"" + FakeOperations.COMMIT + "\",\"overrideSyncWindow\":true}");
    assertThat(ok.statusCode()).isEqualTo(202);
    JsonNode accepted = Bodies.JSON.readTree(ok.body());
    assertThat(accepted.get("release").asLong()).isEqualTo(3);
    assertThat(accepted.get("state").asText()).isEqualTo("pending");
    assertThat(f.ops.calls).containsExactly("sync shop " + FakeOperations.COMMIT + " true");
    assertThat(f.send("POST", "/api/v1/apps/shop/rollback", auth, "{\"toRelease\":1}").statusCode())
        .isEqualTo(202);
    assertThat(f.ops.calls).last().isEqualTo("rollback shop 1");
    f.ops.calls.clear();

    record Case(String path, String body, String field, String mentions) {}
    List<Case> cases =
        List.of(
            new Case("sync", "{\"revison\":\"main\"}", "revison", "unknown field revison"),
            new Case("sync", "{\"revision\":\"main\",\"force\":true}", "force", "force"),
            new Case("sync", "{\"revision\":\"main\"", null, "malformed JSON"),
            new Case(
                "sync",
                "{\"overrideSyncWindow\":\"yes\"}",
                "overrideSyncWindow",
                "overrideSyncWindow"),
            new Case("sync", "{\"revision\":\"--upload-pack=x\"}", "revision", "revision"),
            new Case("sync", "{\"revision\":\"a b\"}", "revision", "revision"),
            new Case("sync", "{} {}", null, "request body"),
            new Case("rollback", "{\"to\":1}", "to", "unknown field to"),
            new Case("rollback", "{\"toRelease\":0}", "toRelease", "toRelease"),
            new Case("rollback", "{\"toRelease\":\"one\"}", "toRelease", "toRelease"));
    for (Case c : cases) {
      HttpResponse<String> res = f.send("POST", "/api/v1/apps/shop/" + c.path(), auth, c.body());
      assertThat(res.statusCode()).as(c.body()).isEqualTo(400);
      JsonNode err = error(res);
      assertThat(err.get("code").asText()).isEqualTo("bad_request");
      assertThat(err.get("message").asText()).as(c.body()).contains(c.mentions());
      if (c.field() != null) {
        assertThat(err.get("field").asText()).as(c.body()).isEqualTo(c.field());
      }
      assertThat(res.body()).doesNotContain("Exception").doesNotContain("at [Source");
    }
    // a body over 1 MiB is refused without reaching the core
    // (only the head goes out: the body is refused from its declared length, unread)
    HttpFetch.Answer res =
        HttpFetch.declaredOnly(
            f.uri("/api/v1/apps/shop/sync"),
            "POST",
            Map.of("Authorization", auth, "Content-Type", "application/json"),
            ControllerApi.MAX_BODY + 1L);
    assertThat(res.status()).isEqualTo(413);
    assertThat(Bodies.JSON.readTree(res.body()).at("/error/code").asText())
        .isEqualTo("payload_too_large");
    assertThat(f.ops.calls).isEmpty();
  }

  @Test
  void parametersAndNamesAreChecked() throws Exception {
    String auth = ServerFixture.AUTH;
    assertThat(f.send("GET", "/api/v1/apps/shop/history?limit=5", auth, null).statusCode())
        .isEqualTo(200);
    assertThat(f.ops.calls).containsExactly("history shop 5");
    for (String q : List.of("0", "1001", "x", "-1", "9999999999999")) {
      HttpResponse<String> res = f.send("GET", "/api/v1/apps/shop/history?limit=" + q, auth, null);
      assertThat(res.statusCode()).as(q).isEqualTo(400);
      assertThat(error(res).get("field").asText()).isEqualTo("limit");
    }
    assertThat(f.send("GET", "/api/v1/apps/shop/plan?rev=v1.2", auth, null).statusCode())
        .isEqualTo(200);
    assertThat(f.ops.calls).last().isEqualTo("plan shop v1.2");
    HttpResponse<String> badName = f.send("GET", "/api/v1/apps/Shop%20X", auth, null);
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(error(badName).get("field").asText()).isEqualTo("app");
    HttpResponse<String> badAfter = f.send("GET", "/api/v1/apps/shop/events?after=x", auth, null);
    assertThat(badAfter.statusCode()).isEqualTo(400);
    assertThat(error(badAfter).get("field").asText()).isEqualTo("after");
  }

  @Test
  void unknownRoutesAre404AndWrongMethods405() throws Exception {
    HttpResponse<String> none = f.send("GET", "/api/v1/nothing", ServerFixture.AUTH, null);
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(error(none).get("code").asText()).isEqualTo("not_found");
    HttpResponse<String> wrong = f.send("DELETE", "/api/v1/apps/shop", ServerFixture.AUTH, null);
    assertThat(wrong.statusCode()).isEqualTo(405);
    assertThat(error(wrong).get("code").asText()).isEqualTo("method_not_allowed");
    assertThat(wrong.headers().firstValue("Allow")).hasValue("GET");
    assertThat(f.send("GET", "/hooks/github", null, null).statusCode()).isEqualTo(405);
  }

  @Test
  void metricsAreExposedInPrometheusTextFormat() throws Exception {
    f.metrics.reconciled("shop", "ok", java.time.Duration.ofMillis(1500));
    f.metrics.synced("shop", "succeeded");
    f.metrics.fetched("shop-repo", "updated");
    f.metrics.built("ok", java.time.Duration.ofSeconds(12));
    f.metrics.buildCacheHit();
    f.send("GET", "/api/v1/apps", ServerFixture.AUTH, null);
    f.send("POST", "/hooks/github", null, "{}");
    HttpResponse<String> res = f.send("GET", "/metrics", ServerFixture.AUTH, null);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    assertThat(res.body())
        .contains("# TYPE stamp_controller_reconcile_duration_seconds histogram")
        .contains("stamp_controller_syncs_total{app=\"shop\",result=\"succeeded\"} 1")
        .contains(
            "stamp_controller_git_fetches_total{repository=\"shop-repo\",result=\"updated\"} 1")
        .contains("stamp_controller_builds_total{result=\"ok\"} 1")
        .contains("stamp_controller_build_cache_hits_total 1")
        .contains(
            "stamp_controller_webhook_deliveries_total{provider=\"github\",result=\"unauthorized\"}"
                + " 1")
        .contains("stamp_controller_http_requests_total{code=\"200\"} 1");
    assertThat(f.send("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
  }

  /** A server on {@code tokenFile}, closed at once if it starts (it should not). */
  private void start(Path tokenFile) throws Exception {
    ControllerServer.start(
            ControllerServer.Config.of("127.0.0.1", 0, tokenFile), f.ops, new ControllerMetrics())
        .close();
  }

  @Test
  void aTokenFileOthersCanReadOrTooShortIsRefused() throws Exception {
    Path loose = dir.resolve("loose");
    java.nio.file.Files.writeString(loose, ServerFixture.TOKEN);
    java.nio.file.Files.setPosixFilePermissions(
        loose, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(loose))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> assertThat(e.kind()).isEqualTo(ControllerException.Kind.BAD_INPUT))
        .hasMessageContaining("chmod 600");
    Path shortToken = dir.resolve("short");
    java.nio.file.Files.writeString(shortToken, "abc");
    java.nio.file.Files.setPosixFilePermissions(
        shortToken, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(shortToken))
        .hasMessageContaining("at least 16");
  }
}
