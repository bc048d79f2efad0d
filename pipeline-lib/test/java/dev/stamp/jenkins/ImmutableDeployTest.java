package dev.stamp.jenkins;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.stamp.jenkins.ControllerStubs.API;
import static dev.stamp.jenkins.ControllerStubs.APP;
import static dev.stamp.jenkins.ControllerStubs.COMMIT;
import static dev.stamp.jenkins.ControllerStubs.OLD_COMMIT;
import static dev.stamp.jenkins.ControllerStubs.WEB;
import static dev.stamp.jenkins.ControllerStubs.event;
import static dev.stamp.jenkins.ControllerStubs.host;
import static dev.stamp.jenkins.ControllerStubs.release;
import static dev.stamp.jenkins.ControllerStubs.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.stamp.jenkins.PipelineHarness.PipelineError;
import groovy.lang.GroovyObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** immutableDeploy against WireMock stubs of the controller API (OpenAPI-checked bodies). */
class ImmutableDeployTest {

  static final String TOKEN = "tok-9f3b2c7e1d5a4b8c";

  @TempDir Path work;
  WireMockServer wm;
  ControllerStubs controller;
  PipelineHarness jenkins;
  GroovyObject step;

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
    controller = new ControllerStubs(wm);
    jenkins = new PipelineHarness(work).withCredential("stamp-token", TOKEN);
    step = jenkins.load("immutableDeploy");
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  Map<String, Object> args(Object... more) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("app", APP);
    a.put("controller", controller.url());
    a.put("credentialsId", "stamp-token");
    a.put("pollSeconds", 1);
    for (int i = 0; i < more.length; i += 2) {
      a.put((String) more[i], more[i + 1]);
    }
    return a;
  }

  static Map<String, Object> succeeded(long id) {
    Map<String, Object> r = release(id, "succeeded", COMMIT);
    r.put("digests", Map.of("web", WEB, "api", API));
    r.put(
        "hosts",
        List.of(
            host("host-1", "web", "updated", null),
            host("host-2", "web", "updated", null),
            host("host-1", "api", "unchanged", null)));
    return r;
  }

  static Map<String, Object> previous(long id) {
    return release(id, "succeeded", OLD_COMMIT);
  }

  @Test
  void syncsFollowsTheRolloutAndReturnsDigestsAndHostResults() {
    controller
        .sync(42)
        .events(
            0,
            List.of(
                event(7, 41, "release", Map.of("state", "succeeded")),
                event(
                    8,
                    42,
                    "release",
                    Map.of(
                        "state",
                        "deploying",
                        "changes",
                        List.of("web: replace on host-1, host-2"))),
                event(
                    9,
                    42,
                    "rollout",
                    Map.of(
                        "service",
                        "web",
                        "host",
                        "host-1",
                        "phase",
                        "healthy",
                        "message",
                        "health check passed"))))
        .events(9, List.of())
        .history(
            List.of(release(42, "pending", COMMIT), previous(41)),
            List.of(release(42, "deploying", COMMIT), previous(41)),
            List.of(succeeded(42), previous(41)));

    @SuppressWarnings("unchecked")
    Map<String, Object> result =
        (Map<String, Object>) PipelineHarness.run(step, "call", args("revision", COMMIT));

    assertThat(result)
        .containsEntry("app", APP)
        .containsEntry("release", 42L)
        .containsEntry("commit", COMMIT)
        .containsEntry("state", "succeeded")
        .containsEntry("digests", Map.of("web", WEB, "api", API));
    assertThat(result.get("hosts"))
        .asList()
        .containsExactly(
            hostResult("host-1", "web", "updated"),
            hostResult("host-2", "web", "updated"),
            hostResult("host-1", "api", "unchanged"));
    // the sync asked for exactly this revision, with the token from the credential
    wm.verify(
        postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/sync"))
            .withHeader("Authorization", equalTo("Bearer " + TOKEN))
            .withRequestBody(equalToJson("{\"revision\":\"" + COMMIT + "\"}")));
    // the rollout streamed into the log: this release's events only
    assertThat(jenkins.echoed())
        .contains(
            "stamp: release #42 deploying\n  web: replace on host-1, host-2",
            "stamp: web on host-1: healthy - health check passed",
            "stamp: release #42 is succeeded")
        .noneMatch(line -> line.contains("#41"));
    assertThat(jenkins.steps()).contains("timeout", "libraryResource", "withCredentials", "sh");
    assertThat(jenkins.steps()).doesNotContain("error");
  }

  @Test
  void aRevisionTheControllerHasNotFetchedYetIsFetchedThenSynced() {
    controller.syncAfterFetch(42).events(0, List.of()).history(List.of(succeeded(42)));

    Object result = PipelineHarness.run(step, "call", args("revision", COMMIT));

    assertThat(result)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("state", "succeeded");
    assertThat(jenkins.echoed())
        .contains(
            "stamp: the controller has not fetched "
                + COMMIT
                + " yet; asking it to fetch shop's branch");
    wm.verify(2, postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/sync")));
  }

  @Test
  void theTokenNeverReachesTheLogNorACommandLine() {
    controller.sync(42).events(0, List.of()).history(List.of(succeeded(42)));

    PipelineHarness.run(step, "call", args("revision", COMMIT));

    wm.verify(
        getRequestedFor(urlPathEqualTo("/api/v1/apps/shop/history"))
            .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    assertThat(jenkins.log()).contains("stamp_http 'POST'").doesNotContain(TOKEN);
    assertThat(jenkins.curlCommandLines())
        .contains("-H @-", "/api/v1/apps/shop/sync")
        .doesNotContain(TOKEN);
  }

  @Test
  void aPartialRolloutFailsTheBuildWithTheControllersReason() {
    Map<String, Object> partial =
        with(
            with(
                release(42, "partial", COMMIT),
                "error",
                "web on host-2: health check failed 3 times"),
            "hosts",
            List.of(
                host("host-1", "web", "updated", null),
                host("host-2", "web", "failed", "health check failed 3 times")));
    controller.sync(42).events(0, List.of()).history(List.of(partial, previous(41)));

    assertThatThrownBy(() -> PipelineHarness.run(step, "call", args("revision", COMMIT)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("release #42 of shop partial")
        .hasMessageContaining("web on host-2: health check failed 3 times")
        .hasMessageContaining("web@host-2 failed");
    wm.verify(0, postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/rollback")));
  }

  @Test
  void aSucceededReleaseWithAFailedHostIsDegradedNotSuccess() {
    Map<String, Object> odd =
        with(
            succeeded(42),
            "hosts",
            List.of(
                host("host-1", "web", "updated", null),
                host("host-2", "web", "rolled-back", "oom")));
    controller.sync(42).events(0, List.of()).history(List.of(odd));

    assertThatThrownBy(() -> PipelineHarness.run(step, "call", args()))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("succeeded but is degraded")
        .hasMessageContaining("web@host-2 rolled-back (oom)");
  }

  @Test
  void rollbackOnFailureAsksForTheLastGoodReleaseAndStillFails() {
    Map<String, Object> failed =
        with(release(43, "failed", COMMIT), "error", "web on host-1: container exited with 1");
    controller
        .sync(43)
        .rollback(44)
        .events(0, List.of())
        .history(
            List.of(failed, release(42, "failed", COMMIT), previous(41)),
            List.of(failed, release(42, "failed", COMMIT), previous(41)),
            List.of(
                with(previous(44), "trigger", "rollback"),
                failed,
                release(42, "failed", COMMIT),
                previous(41)));

    assertThatThrownBy(
            () ->
                PipelineHarness.run(
                    step, "call", args("revision", COMMIT, "rollbackOnFailure", true)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("release #43 of shop failed: web on host-1: container exited with 1")
        .hasMessageContaining("rolled back to release #41 by release #44 (succeeded)");
    wm.verify(
        postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/rollback"))
            .withRequestBody(equalToJson("{\"toRelease\":41}")));
  }

  @Test
  void aPolicyDeniedReleaseFailsNamingTheRule() {
    Map<String, Object> denied =
        with(
            with(release(42, "denied", COMMIT), "error", "denied by policy: 1 error"),
            "policy",
            List.of(
                Map.of(
                    "rule", "DF001",
                    "severity", "error",
                    "location", "web/Dockerfile:1",
                    "message", "base image uses the latest tag",
                    "waived", false),
                Map.of(
                    "rule", "DF010",
                    "severity", "warning",
                    "message", "no HEALTHCHECK",
                    "waived", false)));
    controller.sync(42).events(0, List.of()).history(List.of(denied));

    assertThatThrownBy(() -> PipelineHarness.run(step, "call", args("revision", COMMIT)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("release #42 of shop denied")
        .hasMessageContaining("DF001 web/Dockerfile:1: base image uses the latest tag")
        .hasMessageNotContaining("DF010");
  }

  @Test
  void aWrongTokenFailsAtOnceNamingTheCredential() {
    controller.error("POST", "/sync", 401, "unauthorized", "missing or wrong bearer token", false);

    assertThatThrownBy(() -> PipelineHarness.run(step, "call", args("revision", COMMIT)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("refused the API token from credentials 'stamp-token'")
        .hasMessageContaining("HTTP 401 unauthorized: missing or wrong bearer token");
    wm.verify(1, postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/sync")));
    assertThat(jenkins.steps()).doesNotContain("sleep");
  }

  @Test
  void aRolloutThatOutlastsTheTimeoutFailsTheBuild() {
    controller.sync(42).events(0, List.of()).history(List.of(release(42, "deploying", COMMIT)));

    assertThatThrownBy(
            () ->
                PipelineHarness.run(step, "call", args("revision", COMMIT, "timeoutMinutes", 0.02)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("timed out after 2 s waiting for release #42 of shop")
        .hasMessageContaining("last state: deploying");
    assertThat(jenkins.calls()).contains(new PipelineHarness.Call("timeout", "62 SECONDS"));
  }

  @Test
  void waitFalseReturnsTheAcceptedRelease() {
    controller.sync(42);

    Object result = PipelineHarness.run(step, "call", args("wait", false));

    assertThat(result)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("release", 42L)
        .containsEntry("state", "pending");
    wm.verify(
        postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/sync"))
            .withRequestBody(equalToJson("{}")));
    wm.verify(0, getRequestedFor(urlPathEqualTo("/api/v1/apps/shop/history")));
  }

  @Test
  void webhookTriggerWaitsForTheReleaseOfTheRevision() {
    controller
        .events(0, List.of())
        .history(
            List.of(previous(41)),
            List.of(with(release(42, "deploying", COMMIT), "trigger", "webhook"), previous(41)),
            List.of(succeeded(42), previous(41)));

    Object result =
        PipelineHarness.run(step, "call", args("revision", COMMIT, "trigger", "webhook"));

    assertThat(result)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("release", 42L)
        .containsEntry("state", "succeeded");
    wm.verify(0, postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/sync")));
  }

  @Test
  void unknownAndMissingParametersAreRefusedBeforeAnyRequest() {
    Map<String, Object> a = args("timeout", 5);
    a.remove("app");

    assertThatThrownBy(() -> PipelineHarness.run(step, "call", a))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining(
            "immutableDeploy: unknown parameter 'timeout' (did you mean 'timeoutMinutes'?)")
        .hasMessageContaining("missing required parameter 'app'");
    assertThatThrownBy(
            () ->
                PipelineHarness.run(
                    step, "plan", args("revision", "--upload-pack=x", "wait", true)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("immutableDeploy.plan: unknown parameter 'wait'")
        .hasMessageContaining("'revision' must be a commit id or a ref name");
    assertThat(jenkins.steps()).doesNotContain("sh");
    assertThat(wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void controllerAndCredentialsComeFromTheEnvironmentWhenNotGiven() {
    controller.sync(42);
    jenkins
        .withEnv("STAMP_CONTROLLER", controller.url() + "/")
        .withEnv("STAMP_CREDENTIALS_ID", "stamp-token");
    Map<String, Object> a = args("wait", false);
    a.remove("controller");
    a.remove("credentialsId");

    PipelineHarness.run(step, "call", a);

    wm.verify(postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/sync")));
  }

  @Test
  void planPrintsWhatWouldChangeAndFailsOnProblems() {
    Map<String, Object> plan = new LinkedHashMap<>();
    plan.put("app", APP);
    plan.put("commit", COMMIT);
    plan.put(
        "builds",
        List.of(
            Map.of(
                "service",
                "web",
                "action",
                "build",
                "image",
                "shop/web:0123456789ab",
                "reason",
                "web/Dockerfile changed"),
            Map.of("service", "api", "action", "reuse", "digest", API)));
    plan.put(
        "changes",
        List.of(
            Map.of(
                "host",
                "host-1",
                "service",
                "web",
                "action",
                "replace",
                "fromDigest",
                WEB,
                "toDigest",
                "sha256:" + "0".repeat(64),
                "reason",
                "new image"),
            Map.of("host", "host-1", "service", "api", "action", "unchanged")));
    plan.put("problems", List.of());
    controller.plan(plan);

    PipelineHarness.run(step, "plan", args("revision", COMMIT));

    wm.verify(
        getRequestedFor(urlPathEqualTo("/api/v1/apps/shop/plan"))
            .withQueryParam("rev", equalTo(COMMIT)));
    assertThat(String.join("\n", jenkins.echoed()))
        .contains("plan for shop at 0123456789ab:")
        .contains("image web: build shop/web:0123456789ab (web/Dockerfile changed)")
        .contains("web on host-1: replace sha256:aaaaaaaaaaaa -> sha256:000000000000 (new image)")
        .contains("1 of 2 containers change");

    plan.put("problems", List.of("policy: DF001 web/Dockerfile:1: base image uses the latest tag"));
    controller.plan(plan);
    assertThatThrownBy(() -> PipelineHarness.run(step, "plan", args("revision", COMMIT)))
        .isInstanceOf(PipelineError.class)
        .hasMessageContaining("would not deploy: policy: DF001");
    PipelineHarness.run(step, "plan", args("revision", COMMIT, "failOnProblems", false));
  }

  @Test
  void rollbackToACommitAsksForItsReleaseAndFollowsIt() {
    controller
        .rollback(44)
        .events(0, List.of())
        .history(
            List.of(release(43, "failed", COMMIT), previous(41)),
            List.of(
                with(previous(44), "trigger", "rollback"),
                release(43, "failed", COMMIT),
                previous(41)));

    Object result = PipelineHarness.run(step, "rollback", args("to", OLD_COMMIT.substring(0, 12)));

    wm.verify(
        postRequestedFor(urlPathEqualTo("/api/v1/apps/shop/rollback"))
            .withRequestBody(equalToJson("{\"toRelease\":41}")));
    assertThat(result)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("release", 44L)
        .containsEntry("state", "succeeded");
  }

  @Test
  void theControllerRestartingMidRolloutIsRiddenOut() throws Exception {
    int port = wm.port();
    String url = controller.url();
    controller
        .sync(42)
        .events(0, List.of(event(5, 42, "release", Map.of("state", "deploying"))))
        .events(5, List.of())
        .history(List.of(release(42, "deploying", COMMIT)));
    Map<String, Object> a = args("revision", COMMIT);
    java.util.concurrent.CompletableFuture<Object> run =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> PipelineHarness.run(step, "call", a));

    await(() -> jenkins.echoed().contains("stamp: release #42 is deploying"));
    wm.stop();
    await(() -> jenkins.echoed().stream().anyMatch(l -> l.contains("did not go through")));
    wm = new WireMockServer(options().bindAddress("127.0.0.1").port(port));
    wm.start();
    new ControllerStubs(wm)
        .events(
            5,
            List.of(
                event(
                    6,
                    42,
                    "rollout",
                    Map.of(
                        "service", "web", "host", "host-1", "phase", "healthy", "message", "ok"))))
        .events(6, List.of())
        .history(List.of(release(42, "deploying", COMMIT)), List.of(succeeded(42)));

    Object result = run.get(60, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(result)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("state", "succeeded");
    assertThat(jenkins.echoed())
        .contains("stamp: the controller at " + url + " answers again")
        .contains("stamp: web on host-1: healthy - ok");
    // the stream resumed after the last event seen before the restart
    wm.verify(
        getRequestedFor(urlPathEqualTo("/api/v1/apps/shop/events"))
            .withQueryParam("after", equalTo("5")));
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
      Thread.sleep(50);
    }
    assertThat(condition.getAsBoolean()).as("condition reached within 30 s").isTrue();
  }

  private static Map<String, Object> hostResult(String host, String service, String result) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("host", host);
    h.put("service", service);
    h.put("result", result);
    h.put("message", null);
    return h;
  }
}
