package dev.stamp.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code openapi/controller-v1.yaml} is the contract the CLI and the Jenkins library read: its
 * paths and methods are exactly the server's routes table, each with the access the server
 * enforces; each schema has exactly the fields of its wire record; and what the server answers
 * (bodies, errors, webhook replies, events) validates against the schemas.
 */
class OpenApiContractTest {

  static JsonNode doc;
  static SchemaCheck schemas;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = ControllerApi.class.getResourceAsStream(ControllerApi.OPENAPI)) {
      doc = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    schemas = new SchemaCheck(doc);
  }

  @Test
  void theDocumentListsExactlyTheServersRoutesWithTheirAccess() {
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    assertThat(doc.at("/security/0").has("bearer")).isTrue();
    Set<String> documented = new HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      for (String method : List.of("get", "put", "post", "delete", "patch", "head")) {
        JsonNode op = path.getValue().get(method);
        if (op == null) {
          continue;
        }
        documented.add(method.toUpperCase() + " " + path.getKey());
        ControllerApi.Access access;
        if (!op.has("security")) {
          access = ControllerApi.Access.TOKEN;
        } else if (op.get("security").isEmpty()) {
          access = ControllerApi.Access.OPEN;
        } else {
          assertThat(op.at("/security/0").has("bearer")).isFalse();
          access = ControllerApi.Access.SIGNATURE;
        }
        assertThat(ControllerApi.ROUTES)
            .as("%s %s documented as %s", method, path.getKey(), access)
            .contains(new ControllerApi.Route(method.toUpperCase(), path.getKey(), access));
        if (access != ControllerApi.Access.OPEN) {
          assertThat(op.at("/responses/401").isMissingNode())
              .as("%s %s documents its 401", method, path.getKey())
              .isFalse();
        }
        // every $ref the operation uses resolves
        op.findValues("$ref").forEach(ref -> schemas.resolve(refNode(ref)));
      }
    }
    Set<String> served = new HashSet<>();
    ControllerApi.ROUTES.forEach(r -> served.add(r.method() + " " + r.template()));
    assertThat(documented).isEqualTo(served);
  }

  private static JsonNode refNode(JsonNode ref) {
    return new ObjectMapper().createObjectNode().put("$ref", ref.asText());
  }

  @Test
  void eachSchemaHasExactlyTheFieldsOfItsWireRecord() {
    Map<String, Class<?>> pairs =
        Map.ofEntries(
            Map.entry("App", AppView.class),
            Map.entry("Service", AppView.ServiceView.class),
            Map.entry("HostService", AppView.HostServiceView.class),
            Map.entry("Release", ReleaseView.class),
            Map.entry("HostResult", ReleaseView.HostResult.class),
            Map.entry("PolicyFinding", ReleaseView.PolicyFinding.class),
            Map.entry("Plan", PlanView.class),
            Map.entry("PlannedBuild", PlanView.Build.class),
            Map.entry("PlannedChange", PlanView.Change.class),
            Map.entry("SyncRequest", SyncRequest.class),
            Map.entry("RollbackRequest", RollbackRequest.class),
            Map.entry("SyncAccepted", SyncAccepted.class),
            Map.entry("Event", EventView.class),
            Map.entry("Error", ApiError.class),
            Map.entry("WebhookReply", Webhooks.Reply.class));
    for (Map.Entry<String, Class<?>> p : pairs.entrySet()) {
      assertThat(fields(doc.at("/components/schemas/" + p.getKey() + "/properties")))
          .as(p.getKey())
          .isEqualTo(components(p.getValue()));
    }
    assertThat(fields(doc.at("/components/schemas/Error/properties/error/properties")))
        .isEqualTo(components(ApiError.Detail.class));
    Set<String> codes = new HashSet<>();
    doc.at("/components/schemas/Error/properties/error/properties/code/enum")
        .forEach(c -> codes.add(c.asText()));
    Set<String> wire = new HashSet<>();
    for (ApiError.Code c : ApiError.Code.values()) {
      wire.add(c.wire());
    }
    assertThat(codes).isEqualTo(wire);
  }

  private static Set<String> fields(JsonNode properties) {
    Set<String> out = new HashSet<>();
    properties.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static Set<String> components(Class<?> record) {
    Set<String> out = new HashSet<>();
    for (var c : record.getRecordComponents()) {
      out.add(c.getName());
    }
    return out;
  }

  JsonNode schemaOf(String path, String method, int status) {
    JsonNode response =
        schemas.resolve(
            doc.get("paths")
                .get(path)
                .get(method)
                .path("responses")
                .path(Integer.toString(status)));
    assertThat(response.isMissingNode()).as("%s %s documents %d", method, path, status).isFalse();
    return response.at("/content/application~1json/schema");
  }

  void conforms(HttpResponse<String> res, String path, String method) throws Exception {
    JsonNode schema = schemaOf(path, method, res.statusCode());
    assertThat(schemas.problems(Bodies.JSON.readTree(res.body()), schema))
        .as("%s %s -> %d %s", method, path, res.statusCode(), res.body())
        .isEmpty();
  }

  @Test
  void whatTheServerAnswersValidatesAgainstTheSchemas() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String auth = ServerFixture.AUTH;
      conforms(f.send("GET", "/healthz", null, null), "/healthz", "get");
      conforms(f.send("GET", "/api/v1/apps", auth, null), "/api/v1/apps", "get");
      conforms(f.send("GET", "/api/v1/apps/shop", auth, null), "/api/v1/apps/{app}", "get");
      conforms(f.send("GET", "/api/v1/apps/nope", auth, null), "/api/v1/apps/{app}", "get");
      conforms(f.send("GET", "/api/v1/apps/Bad!", auth, null), "/api/v1/apps/{app}", "get");
      conforms(f.send("GET", "/api/v1/apps", null, null), "/api/v1/apps", "get");
      conforms(
          f.send("GET", "/api/v1/apps/shop/history", auth, null),
          "/api/v1/apps/{app}/history",
          "get");
      conforms(
          f.send("GET", "/api/v1/apps/shop/plan?rev=main", auth, null),
          "/api/v1/apps/{app}/plan",
          "get");
      conforms(
          f.send("POST", "/api/v1/apps/shop/sync", auth, "{\"revision\":\"main\"}"),
          "/api/v1/apps/{app}/sync",
          "post");
      conforms(
          f.send("POST", "/api/v1/apps/shop/sync", auth, "{\"rev\":\"main\"}"),
          "/api/v1/apps/{app}/sync",
          "post");
      conforms(
          f.send("POST", "/api/v1/apps/shop/rollback", auth, "{}"),
          "/api/v1/apps/{app}/rollback",
          "post");
      f.ops.failure = dev.stamp.controller.ControllerException.conflict("sync shop: window");
      conforms(
          f.send("POST", "/api/v1/apps/shop/sync", auth, ""), "/api/v1/apps/{app}/sync", "post");
      f.ops.failure = null;
      conforms(f.send("POST", "/hooks/generic", null, "{}"), "/hooks/generic", "post");

      // webhook replies
      f.ops.secrets.add(
          new WebhookSecret(
              "shop", "generic", "main", FakeOperations.bytes(WebhookTest.SHOP_SECRET)));
      for (String ref : List.of("refs/heads/main", "refs/heads/other")) {
        byte[] body =
            FakeOperations.bytes(
                "{\"repository\":\"shop\",\"ref\":\""
                    + ref
                    + "\",\"after\":\""
                    + WebhookTest.AFTER
                    + "\"}");
        conforms(
            f.send(
                "POST",
                "/hooks/generic",
                null,
                body,
                Map.of("X-Stamp-Signature", WebhookTest.sign(WebhookTest.SHOP_SECRET, body))),
            "/hooks/generic",
            "post");
      }

      // events: each data line is an Event
      f.ops.emit("built");
      try (SseReader r = new SseReader(f.http, EventStreamTest.events(f, "").build())) {
        String data = r.dataUntil(1).get(0);
        assertThat(
                schemas.problems(Bodies.JSON.readTree(data), doc.at("/components/schemas/Event")))
            .isEmpty();
      }
    }
  }

  @Test
  void theServerServesTheSameDocument() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      HttpResponse<String> res = f.send("GET", "/api/v1/openapi.yaml", ServerFixture.AUTH, null);
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(new ObjectMapper(new YAMLFactory()).readTree(res.body())).isEqualTo(doc);
    }
  }
}
