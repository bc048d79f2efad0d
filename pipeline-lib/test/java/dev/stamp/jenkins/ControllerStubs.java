package dev.stamp.jenkins;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WireMock stubs of the controller's API for one app, every body checked against the controller's
 * OpenAPI document before it is served.
 */
final class ControllerStubs {

  static final String APP = "shop";
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  static final String OLD_COMMIT = "fedcba9876543210fedcba9876543210fedcba98";
  static final String WEB = "sha256:" + "a".repeat(64);
  static final String API = "sha256:" + "b".repeat(64);

  private static final OpenApiDocument DOC = OpenApiDocument.controller();
  private static final String BASE = "/api/v1/apps/{app}";

  private final WireMockServer wm;

  ControllerStubs(WireMockServer wm) {
    this.wm = wm;
  }

  String url() {
    return "http://127.0.0.1:" + wm.port();
  }

  ControllerStubs sync(long release) {
    return answer(
        post(path("/sync")),
        "POST",
        "/sync",
        202,
        Map.of("app", APP, "release", release, "commit", COMMIT, "state", "pending"));
  }

  /**
   * The sync answers 404 (the mirror has not fetched the commit) until the plan of the branch head
   * was asked for (the controller fetches then), 202 after.
   */
  ControllerStubs syncAfterFetch(long release) {
    Map<String, Object> notFetched =
        Map.of(
            "error",
            Map.of(
                "code",
                "not_found",
                "message",
                "resolve \"" + COMMIT + "\" in shop: no such commit in the mirror",
                "retryable",
                false));
    answer(
        post(path("/sync")).inScenario("fetch").whenScenarioStateIs(Scenario.STARTED),
        "POST",
        "/sync",
        404,
        notFetched);
    answer(
        get(path("/plan"))
            .withQueryParam("rev", com.github.tomakehurst.wiremock.client.WireMock.absent())
            .inScenario("fetch")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("fetched"),
        "GET",
        "/plan",
        200,
        Map.of(
            "app",
            APP,
            "commit",
            COMMIT,
            "builds",
            List.of(),
            "changes",
            List.of(),
            "problems",
            List.of()));
    return answer(
        post(path("/sync")).inScenario("fetch").whenScenarioStateIs("fetched"),
        "POST",
        "/sync",
        202,
        Map.of("app", APP, "release", release, "commit", COMMIT, "state", "pending"));
  }

  ControllerStubs rollback(long release) {
    return answer(
        post(path("/rollback")),
        "POST",
        "/rollback",
        202,
        Map.of("app", APP, "release", release, "commit", OLD_COMMIT, "state", "pending"));
  }

  /**
   * The app's history answers each list in turn (newest release first), the last one from then on.
   */
  @SafeVarargs
  final ControllerStubs history(List<Map<String, Object>>... answers) {
    for (int i = 0; i < answers.length; i++) {
      String state = i == 0 ? Scenario.STARTED : "history-" + i;
      ScenarioMappingBuilder m =
          get(path("/history")).inScenario("history").whenScenarioStateIs(state);
      answer(
          i + 1 < answers.length ? m.willSetStateTo("history-" + (i + 1)) : m,
          "GET",
          "/history",
          200,
          answers[i]);
    }
    return this;
  }

  ControllerStubs plan(Map<String, Object> plan) {
    return answer(get(path("/plan")), "GET", "/plan", 200, plan);
  }

  /** The event stream from {@code after}: the given events, then the end of the stream. */
  ControllerStubs events(long after, List<Map<String, Object>> events) {
    StringBuilder sse = new StringBuilder(": connected\n\n");
    for (Map<String, Object> e : events) {
      String data = DOC.schema("Event", e);
      sse.append("id: ").append(e.get("id")).append('\n');
      sse.append("event: ").append(e.get("type")).append('\n');
      sse.append("data: ").append(data).append("\n\n");
    }
    wm.stubFor(
        get(path("/events"))
            .withQueryParam("after", equalTo(String.valueOf(after)))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "text/event-stream")
                    .withBody(sse.toString())));
    return this;
  }

  /** Every route under the app answers this error (the document's Error schema). */
  ControllerStubs error(
      String method, String route, int status, String code, String message, boolean retryable) {
    Map<String, Object> body =
        Map.of("error", Map.of("code", code, "message", message, "retryable", retryable));
    MappingBuilder m = method.equals("POST") ? post(path(route)) : get(path(route));
    return answer(m, method, route, status, body);
  }

  private ControllerStubs answer(
      MappingBuilder m, String method, String route, int status, Object body) {
    String json = DOC.answer(method, BASE + route, status, body);
    wm.stubFor(
        m.willReturn(
            aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(json)));
    return this;
  }

  private static com.github.tomakehurst.wiremock.matching.UrlPathPattern path(String route) {
    return urlPathEqualTo("/api/v1/apps/" + APP + route);
  }

  static Map<String, Object> release(long id, String state, String commit) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", id);
    r.put("app", APP);
    r.put("commit", commit);
    r.put("shortCommit", commit.substring(0, 12));
    r.put("state", state);
    r.put("trigger", "manual");
    r.put("digests", Map.of());
    r.put("hosts", List.of());
    r.put("policy", List.of());
    return r;
  }

  static Map<String, Object> with(Map<String, Object> release, String key, Object value) {
    Map<String, Object> r = new LinkedHashMap<>(release);
    r.put(key, value);
    return r;
  }

  static Map<String, Object> host(String host, String service, String result, String message) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("host", host);
    h.put("service", service);
    h.put("result", result);
    if (message != null) {
      h.put("message", message);
    }
    return h;
  }

  static Map<String, Object> event(long id, long release, String type, Map<String, Object> data) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("id", id);
    e.put("app", APP);
    e.put("release", release);
    e.put("type", type);
    e.put("at", "2026-12-06T15:00:00Z");
    e.put("message", String.valueOf(data.getOrDefault("message", data.get("state"))));
    e.put("data", data);
    return e;
  }
}
