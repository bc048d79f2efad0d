package dev.stamp.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.testkit.HttpFetch;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks over real HTTP: a push is handed to the core only when its signature matches the secret
 * of the repository it names and it is to the watched branch; everything else is refused (401) or
 * ignored (202) and never reaches {@link ControllerOperations#pushed}.
 */
class WebhookTest {

  static final String SHOP_SECRET = "shop-secret-0123456789";
  static final String BILLING_SECRET = "billing-secret-0123456789";
  static final String AFTER = "89abcdef0123456789abcdef0123456789abcdef";

  @TempDir Path dir;
  ServerFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new ServerFixture(dir);
    f.ops.secrets.addAll(
        List.of(
            new WebhookSecret("acme/shop", "github", "main", FakeOperations.bytes(SHOP_SECRET)),
            new WebhookSecret(
                "acme/billing", "github", "release", FakeOperations.bytes(BILLING_SECRET)),
            new WebhookSecret("shop-gl", "gitlab", "main", FakeOperations.bytes(SHOP_SECRET)),
            new WebhookSecret("shop", "generic", "main", FakeOperations.bytes(SHOP_SECRET)),
            new WebhookSecret("billing", "generic", "main", FakeOperations.bytes(BILLING_SECRET))));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  static String sign(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(FakeOperations.bytes(secret), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  static byte[] githubPush(String repo, String ref, String after) {
    return FakeOperations.bytes(
        "{\"ref\":\""
            + ref
            + "\",\"before\":\""
            + "1".repeat(40)
            + "\",\"after\":\""
            + after
            + "\",\"repository\":{\"full_name\":\""
            + repo
            + "\",\"clone_url\":\"https://github.com/"
            + repo
            + ".git\"},\"pusher\":{\"name\":\"ada\"}}");
  }

  HttpResponse<String> github(String event, String signature, byte[] body) throws Exception {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-GitHub-Event", event);
    h.put("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    h.put("Content-Type", "application/json");
    if (signature != null) {
      h.put("X-Hub-Signature-256", signature);
    }
    return f.send("POST", "/hooks/github", null, body, h);
  }

  static JsonNode json(HttpResponse<String> res) throws Exception {
    return Bodies.JSON.readTree(res.body());
  }

  @Test
  void aSignedGithubPushToTheWatchedBranchIsHandedOver() throws Exception {
    byte[] body = githubPush("acme/shop", "refs/heads/main", AFTER);
    HttpResponse<String> res = github("push", sign(SHOP_SECRET, body), body);
    assertThat(res.statusCode()).isEqualTo(202);
    assertThat(json(res).get("result").asText()).isEqualTo("accepted");
    assertThat(f.ops.pushes)
        .containsExactly(new FakeOperations.Push("acme/shop", "refs/heads/main", AFTER, "github"));
  }

  @Test
  void badMissingOrForeignSignaturesAreRefusedAndNeverHandedOver() throws Exception {
    byte[] body = githubPush("acme/shop", "refs/heads/main", AFTER);
    String good = sign(SHOP_SECRET, body);
    byte[] tampered = githubPush("acme/shop", "refs/heads/main", "f".repeat(40));
    List<String> signatures =
        java.util.Arrays.asList(
            null, // missing
            "",
            "sha256=",
            "sha1=" + good.substring(7, 47),
            "sha256=" + "0".repeat(64),
            good.substring(0, good.length() - 1) + (good.endsWith("0") ? "1" : "0"),
            good.toUpperCase().replace("SHA256=", "sha256=") + "00",
            sign("not-a-configured-secret-at-all", body));
    for (String sig : signatures) {
      HttpResponse<String> res = github("push", sig, body);
      assertThat(res.statusCode()).as(String.valueOf(sig)).isEqualTo(401);
      assertThat(json(res).at("/error/code").asText()).isEqualTo("unauthorized");
    }
    // the right signature over another body
    assertThat(github("push", good, tampered).statusCode()).isEqualTo(401);
    // signed with billing's secret but naming shop: billing watches "release", shop gets nothing
    HttpResponse<String> foreign = github("push", sign(BILLING_SECRET, body), body);
    assertThat(foreign.statusCode()).isEqualTo(202);
    assertThat(f.ops.pushes).isEmpty();
    // and the ping needs a signature too
    assertThat(github("ping", null, FakeOperations.bytes("{\"zen\":\"x\"}")).statusCode())
        .isEqualTo(401);
    assertThat(f.ops.pushes).isEmpty();
  }

  @Test
  void anotherRepositorysSecretNeverTriggersThisOne() throws Exception {
    // the generic hook names its repository: billing's secret cannot push to shop
    byte[] body =
        FakeOperations.bytes(
            "{\"repository\":\"shop\",\"ref\":\"refs/heads/main\",\"after\":\"" + AFTER + "\"}");
    HttpResponse<String> res =
        f.send(
            "POST",
            "/hooks/generic",
            null,
            body,
            Map.of("X-Stamp-Signature", sign(BILLING_SECRET, body)));
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(f.ops.pushes).isEmpty();
    HttpResponse<String> ok =
        f.send(
            "POST",
            "/hooks/generic",
            null,
            body,
            Map.of("X-Stamp-Signature", sign(SHOP_SECRET, body)));
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(f.ops.pushes)
        .containsExactly(new FakeOperations.Push("shop", "refs/heads/main", AFTER, "generic"));
  }

  @Test
  void pingIsAnsweredAndOtherEventsBranchesAndDeletionsAreIgnored() throws Exception {
    byte[] ping = FakeOperations.bytes("{\"zen\":\"Design for failure.\",\"hook_id\":1}");
    HttpResponse<String> pong = github("ping", sign(SHOP_SECRET, ping), ping);
    assertThat(pong.statusCode()).isEqualTo(200);
    assertThat(json(pong).get("result").asText()).isEqualTo("ping");

    byte[] other = githubPush("acme/shop", "refs/heads/feature-x", AFTER);
    HttpResponse<String> res = github("push", sign(SHOP_SECRET, other), other);
    assertThat(res.statusCode()).isEqualTo(202);
    assertThat(json(res).get("result").asText()).isEqualTo("ignored");
    assertThat(json(res).get("reason").asText()).contains("refs/heads/feature-x");

    byte[] tag = githubPush("acme/shop", "refs/tags/v1", AFTER);
    assertThat(json(github("push", sign(SHOP_SECRET, tag), tag)).get("result").asText())
        .isEqualTo("ignored");

    byte[] deleted = githubPush("acme/shop", "refs/heads/main", "0".repeat(40));
    assertThat(json(github("push", sign(SHOP_SECRET, deleted), deleted)).get("result").asText())
        .isEqualTo("ignored");

    byte[] issue = FakeOperations.bytes("{\"action\":\"opened\"}");
    HttpResponse<String> issues = github("issues", sign(SHOP_SECRET, issue), issue);
    assertThat(issues.statusCode()).isEqualTo(202);
    assertThat(json(issues).get("result").asText()).isEqualTo("ignored");
    assertThat(f.ops.pushes).isEmpty();
  }

  @Test
  void aVerifiedButMalformedPayloadIs400() throws Exception {
    byte[] junk = FakeOperations.bytes("{\"ref\": ");
    assertThat(github("push", sign(SHOP_SECRET, junk), junk).statusCode()).isEqualTo(400);
    byte[] noAfter = FakeOperations.bytes("{\"ref\":\"refs/heads/main\",\"after\":\"HEAD\"}");
    HttpResponse<String> res = github("push", sign(SHOP_SECRET, noAfter), noAfter);
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(json(res).at("/error/field").asText()).isEqualTo("after");
    assertThat(f.ops.pushes).isEmpty();
  }

  @Test
  void anOversizeBodyIsRefusedBeforeAnythingElse() throws Exception {
    // only the head goes out: the hook refuses the body from its declared length, unread
    HttpFetch.Answer res =
        HttpFetch.declaredOnly(
            f.uri("/hooks/github"),
            "POST",
            Map.of(
                "X-GitHub-Event", "push",
                "X-Hub-Signature-256", sign(SHOP_SECRET, new byte[0]),
                "Content-Type", "application/json"),
            Webhooks.MAX_BODY + 1L);
    assertThat(res.status()).isEqualTo(413);
    assertThat(Bodies.JSON.readTree(res.body()).at("/error/code").asText())
        .isEqualTo("payload_too_large");
    assertThat(f.ops.pushes).isEmpty();
  }

  @Test
  void gitlabPushesNeedTheRepositorysToken() throws Exception {
    byte[] body =
        FakeOperations.bytes(
            "{\"object_kind\":\"push\",\"ref\":\"refs/heads/main\",\"after\":\""
                + AFTER
                + "\",\"project\":{\"path_with_namespace\":\"acme/shop\"}}");
    Map<String, String> event = Map.of("X-Gitlab-Event", "Push Hook");
    assertThat(f.send("POST", "/hooks/gitlab", null, body, event).statusCode()).isEqualTo(401);
    for (String wrong : List.of("", "shop-secret", SHOP_SECRET + "x", BILLING_SECRET)) {
      Map<String, String> h = new LinkedHashMap<>(event);
      h.put("X-Gitlab-Token", wrong);
      assertThat(f.send("POST", "/hooks/gitlab", null, body, h).statusCode())
          .as(wrong)
          .isEqualTo(401);
    }
    assertThat(f.ops.pushes).isEmpty();
    Map<String, String> h = new LinkedHashMap<>(event);
    h.put("X-Gitlab-Token", SHOP_SECRET);
    HttpResponse<String> ok = f.send("POST", "/hooks/gitlab", null, body, h);
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(f.ops.pushes)
        .containsExactly(new FakeOperations.Push("shop-gl", "refs/heads/main", AFTER, "gitlab"));
    byte[] tagPush =
        FakeOperations.bytes(
            "{\"object_kind\":\"tag_push\",\"ref\":\"refs/tags/v1\",\"after\":\"" + AFTER + "\"}");
    HttpResponse<String> tag = f.send("POST", "/hooks/gitlab", null, tagPush, h);
    assertThat(json(tag).get("result").asText()).isEqualTo("ignored");
    assertThat(f.ops.pushes).hasSize(1);
  }

  @Test
  void aSecretSharedByRepositoriesTriggersOnlyTheOneThePayloadNames() throws Exception {
    f.ops.secrets.clear();
    f.ops.secrets.addAll(
        List.of(
            new WebhookSecret("acme/shop", "github", "main", FakeOperations.bytes(SHOP_SECRET)),
            new WebhookSecret(
                "https://github.com/acme/docs.git",
                "github",
                "main",
                FakeOperations.bytes(SHOP_SECRET))));
    byte[] docs = githubPush("acme/docs", "refs/heads/main", AFTER);
    assertThat(github("push", sign(SHOP_SECRET, docs), docs).statusCode()).isEqualTo(202);
    assertThat(f.ops.pushes)
        .containsExactly(
            new FakeOperations.Push(
                "https://github.com/acme/docs.git", "refs/heads/main", AFTER, "github"));
    byte[] unknown = githubPush("acme/unwatched", "refs/heads/main", AFTER);
    HttpResponse<String> res = github("push", sign(SHOP_SECRET, unknown), unknown);
    assertThat(json(res).get("result").asText()).isEqualTo("ignored");
    assertThat(f.ops.pushes).hasSize(1);
  }

  @Test
  void aRepositoryListedTwiceIsNotASharedSecretAndIsHandedOverOnce() throws Exception {
    f.ops.secrets.clear();
    // two apps from one repository (by a name the payload does not use), on two branches
    for (String branch : List.of("main", "main", "release")) {
      f.ops.secrets.add(
          new WebhookSecret("shop-repo", "github", branch, FakeOperations.bytes(SHOP_SECRET)));
    }
    byte[] body = githubPush("acme/shop", "refs/heads/release", AFTER);
    HttpResponse<String> res = github("push", sign(SHOP_SECRET, body), body);
    assertThat(json(res).get("result").asText()).isEqualTo("accepted");
    body = githubPush("acme/shop", "refs/heads/main", AFTER);
    github("push", sign(SHOP_SECRET, body), body);
    assertThat(f.ops.pushes)
        .containsExactly(
            new FakeOperations.Push("shop-repo", "refs/heads/release", AFTER, "github"),
            new FakeOperations.Push("shop-repo", "refs/heads/main", AFTER, "github"));
  }

  @Test
  void deliveriesAreCountedByProviderAndResult() throws Exception {
    byte[] body = githubPush("acme/shop", "refs/heads/main", AFTER);
    github("push", sign(SHOP_SECRET, body), body);
    github("push", null, body);
    String metrics = f.send("GET", "/metrics", ServerFixture.AUTH, null).body();
    assertThat(metrics)
        .contains(
            "stamp_controller_webhook_deliveries_total{provider=\"github\",result=\"accepted\"} 1")
        .contains(
            "stamp_controller_webhook_deliveries_total{provider=\"github\",result=\"unauthorized\"}"
                + " 1");
  }

  @Test
  void aRefusedDeliveryIsLoggedWithoutItsBodyOrAnySecret() throws Exception {
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Webhooks.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.start();
    log.addAppender(seen);
    try {
      byte[] body = githubPush("acme/shop-body-marker", "refs/heads/main", AFTER);
      String forged = sign("forged-secret-forged-secret", body);
      assertThat(github("push", forged, body).statusCode()).isEqualTo(401);
      Map<String, String> h = Map.of("X-Gitlab-Token", "gitlab-token-marker-0123");
      assertThat(f.send("POST", "/hooks/gitlab", null, body, h).statusCode()).isEqualTo(401);
    } finally {
      log.detachAppender(seen);
    }
    assertThat(seen.list).hasSize(2);
    assertThat(seen.list.get(0).getFormattedMessage())
        .contains("refused github webhook from 127.0.0.1")
        .contains("72d3162e-cc78-11e3-81ab-4c9367dc0958")
        .contains("matches no repository's secret");
    for (var e : seen.list) {
      assertThat(e.getFormattedMessage())
          .doesNotContain("shop-body-marker")
          .doesNotContain(AFTER)
          .doesNotContain("gitlab-token-marker")
          .doesNotContain(SHOP_SECRET)
          .doesNotContain(BILLING_SECRET);
    }
  }

  @Test
  void secretsAreNeverPrinted() {
    WebhookSecret s = new WebhookSecret("r", "github", "main", FakeOperations.bytes(SHOP_SECRET));
    assertThat(s.toString()).doesNotContain(SHOP_SECRET).contains("***");
    byte[] copy = s.secret();
    copy[0] = 'X';
    assertThat(s.secret()[0]).isEqualTo((byte) 's');
  }
}
