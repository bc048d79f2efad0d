package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.AgentEvent;
import dev.stamp.agent.api.AgentException;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.http.BearerToken;
import dev.stamp.testkit.HttpFetch;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's API over real HTTP (Jetty on 127.0.0.1, an ephemeral port) in front of an engine that
 * only records what it was asked: auth, validation, no-op PUTs, generations, events, the OpenAPI
 * document. The engine's real work is tested as root elsewhere.
 */
class AgentApiTest {

  static final String TOKEN = "0123456789abcdef0123456789abcdef";
  static final String IMAGE = "sha256:" + "a".repeat(64);

  @TempDir Path dir;
  AgentServer server;
  RecordingEngine engine;
  HttpClient http = HttpClient.newHttpClient();
  AgentClient client;
  EventLog events;

  /** Records the calls the API makes; observes what the desired record says. */
  static final class RecordingEngine implements ServiceEngine {
    final List<String> changed = new CopyOnWriteArrayList<>();

    @Override
    public void desiredChanged(String name) {
      changed.add(name);
    }

    @Override
    public ServiceStatus observe(DesiredService d) {
      return new ServiceStatus(
          d.name(),
          d.generation(),
          0,
          d.deleted() ? "deleting" : "pending",
          d.specDigest(),
          null,
          null,
          null);
    }

    @Override
    public LogStream logs(String ref, boolean follow) throws HostRuntimeException {
      throw HostRuntimeException.notFound("container " + ref + ": not found");
    }

    @Override
    public String pull(String ref) {
      return ref.substring(ref.indexOf('@') + 1);
    }

    @Override
    public void close() {}
  }

  @BeforeEach
  void start() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    engine = new RecordingEngine();
    events = new EventLog(Clock.systemUTC());
    server =
        AgentServer.start(
            new AgentConfig(
                new StampRoot(dir.resolve("root")),
                "127.0.0.1",
                0,
                token,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of()),
            engine,
            events,
            new AgentMetrics());
    client = new AgentClient(server.uri(), TOKEN);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static ServiceSpec spec(int replicas) {
    return new ServiceSpec(
        IMAGE,
        List.of("httpd", "-f"),
        null,
        Map.of("B", "2", "A", "1"),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        replicas,
        null,
        null,
        null,
        null);
  }

  HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri().resolve(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthzNeedsNoTokenButEveryOtherRouteDoes() throws Exception {
    assertThat(send("GET", "healthz", null, null).statusCode()).isEqualTo(200);
    for (AgentApi.Route r : AgentApi.ROUTES) {
      if (r.open()) {
        continue;
      }
      String path = r.template().substring(1).replace("{name}", "web").replace("{id}", "abc");
      for (String bad :
          new String[] {
            null,
            "Bearer wrong-token-wrong-token!",
            "Basic " + TOKEN,
            "Bearer " + TOKEN + "x",
            "Bearer"
          }) {
        HttpResponse<String> res =
            send(
                r.method(),
                path,
                bad,
                r.method().equals("GET") || r.method().equals("DELETE") ? null : "{}");
        assertThat(res.statusCode()).as(r + " with " + bad).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate"))
            .hasValue("Bearer realm=\"stamp-agent\"");
      }
    }
    // nothing was recorded, nothing was handed to the engine
    assertThat(engine.changed).isEmpty();
    assertThat(Files.exists(dir.resolve("root/agent/desired"))).isFalse();
  }

  /**
   * A refused PUT whose body has not all arrived: the server will not read it and closes the
   * connection, so the answer must say {@code Connection: close}, or a client pools the connection
   * and its next request fails with no answer (seen in CI as "header parser received no bytes").
   */
  @Test
  void aRefusalThatLeavesTheBodyUnreadSaysTheConnectionCloses() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.uri().getPort())) {
      s.setSoTimeout(10_000);
      java.io.OutputStream out = s.getOutputStream();
      out.write(
          ("PUT /v1/services/web HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{\"image\":")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      String head = readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 401");
      assertThat(head.toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n");
    }
    // a body that was read to its end leaves the connection open for the next request
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.uri().getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("PUT /v1/services/web HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Authorization: Bearer "
                      + TOKEN
                      + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String head = readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 422");
      assertThat(head.toLowerCase(java.util.Locale.ROOT)).doesNotContain("connection: close");
    }
    assertThat(engine.changed).isEmpty();
  }

  /** The status line and headers of one answer, up to the empty line. */
  static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        return sb.toString();
      }
    }
    throw new java.io.EOFException("connection closed before the end of the answer's head: " + sb);
  }

  @Test
  void aPutWithAWrongTokenChangesNothing() throws Exception {
    client.putService("web", spec(1));
    HttpResponse<String> res =
        send(
            "PUT",
            "v1/services/web",
            "Bearer nope-nope-nope-nope",
            AgentClient.JSON.writeValueAsString(spec(3)));
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(client.service("web").orElseThrow().generation()).isEqualTo(1);
    assertThat(engine.changed).containsExactly("web");
  }

  @Test
  void theSameSpecTwiceIsANoOpAndEachChangeIsTheNextGeneration() throws Exception {
    PutResult first = client.putService("web", spec(2));
    assertThat(first.changed()).isTrue();
    assertThat(first.generation()).isEqualTo(1);
    // same content, map in another order: still the same spec
    ServiceSpec same =
        new ServiceSpec(
            IMAGE,
            List.of("httpd", "-f"),
            null,
            new java.util.TreeMap<>(Map.of("A", "1", "B", "2")),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            2,
            null,
            null,
            null,
            null);
    PutResult again = client.putService("web", same);
    assertThat(again.changed()).isFalse();
    assertThat(again.generation()).isEqualTo(1);
    assertThat(engine.changed).containsExactly("web");
    PutResult third = client.putService("web", spec(3));
    assertThat(third.changed()).isTrue();
    assertThat(third.generation()).isEqualTo(2);
    ServiceStatus status = client.service("web").orElseThrow();
    assertThat(status.generation()).isEqualTo(2);
    assertThat(status.specDigest()).isEqualTo(third.specDigest());
    // the desired state is on disk, whole
    JsonNode onDisk =
        new ObjectMapper().readTree(dir.resolve("root/agent/desired/web.json").toFile());
    assertThat(onDisk.get("generation").asLong()).isEqualTo(2);
    assertThat(onDisk.at("/spec/replicas").asInt()).isEqualTo(3);
  }

  @Test
  void deleteMarksTheServiceAndAnUnknownOneIs404() throws Exception {
    client.putService("web", spec(1));
    assertThat(send("DELETE", "v1/services/web", "Bearer " + TOKEN, null).statusCode())
        .isEqualTo(202);
    assertThat(client.service("web").orElseThrow().state()).isEqualTo("deleting");
    AgentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            AgentException.class, () -> client.deleteService("nothing"));
    assertThat(e.status()).isEqualTo(404);
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndChangesNothing() throws Exception {
    client.putService("web", spec(1));
    String auth = "Bearer " + TOKEN;
    record Case(String body, int status, String mentions) {}
    List<Case> cases =
        List.of(
            new Case("{\"image\": ", 400, "malformed JSON"),
            new Case("[]", 400, "request body"),
            new Case("", 400, "got nothing"),
            new Case("{\"image\":\"" + IMAGE + "\",\"replica\":2}", 400, "replica: unknown field"),
            new Case(
                "{\"image\":\"" + IMAGE + "\",\"ports\":[{\"target\":80,\"publishd\":8080}]}",
                400,
                "ports[0].publishd"),
            new Case("{\"image\":\"" + IMAGE + "\",\"replicas\":\"two\"}", 400, "replicas"),
            new Case(
                "{\"image\":\"" + IMAGE + "\",\"replicas\":0}", 422, "replicas: 1 to 256, got 0"),
            new Case(
                "{\"image\":\"" + IMAGE + "\",\"replicas\":10000}",
                422,
                "replicas: 1 to 256, got 10000"),
            new Case("{\"image\":\"busybox:latest\"}", 422, "image: expected an image by digest"),
            new Case(
                "{\"image\":\""
                    + IMAGE
                    + "\",\"volumes\":[{\"type\":\"bind\",\"source\":\"/srv/../etc\",\"target\":\"/x\"}]}",
                422,
                "volumes[0].source"),
            new Case(
                "{\"image\":\""
                    + IMAGE
                    + "\",\"healthcheck\":{\"test\":[\"CMD\"],\"interval\":\"5s\"}}",
                422,
                "healthcheck.test"),
            new Case(
                "{\"image\":\"" + IMAGE + "\",\"stopGracePeriod\":\"10s\"}",
                422,
                "stopGracePeriod: expected an ISO-8601 duration"));
    for (Case c : cases) {
      HttpResponse<String> res = send("PUT", "v1/services/web", auth, c.body());
      assertThat(res.statusCode()).as(c.body()).isEqualTo(c.status());
      assertThat(res.body()).as(c.body()).contains(c.mentions());
      assertThat(res.body()).doesNotContain("Exception").doesNotContain("at dev.");
    }
    // every problem at once
    HttpResponse<String> many =
        send(
            "PUT",
            "v1/services/web",
            auth,
            "{\"image\":\"x\",\"replicas\":0,\"restart\":\"sometimes\"}");
    JsonNode problems = new ObjectMapper().readTree(many.body()).get("problems");
    List<String> fields = new ArrayList<>();
    problems.forEach(p -> fields.add(p.get("field").asText()));
    assertThat(fields).containsExactlyInAnyOrder("image", "replicas", "restart");
    assertThat(send("PUT", "v1/services/Bad_Name!", auth, "{}").statusCode()).isEqualTo(400);
    // only the head goes out: the body is refused from its declared length, unread
    assertThat(
            HttpFetch.declaredOnly(
                    server.uri().resolve("v1/services/web"),
                    "PUT",
                    Map.of("Authorization", auth),
                    AgentApi.MAX_BODY + 1L)
                .status())
        .isEqualTo(413);
    // the running version is untouched
    assertThat(client.service("web").orElseThrow().generation()).isEqualTo(1);
    assertThat(engine.changed).containsExactly("web");
  }

  @Test
  void unknownRoutesAnd405() throws Exception {
    assertThat(send("GET", "v1/nothing", "Bearer " + TOKEN, null).statusCode()).isEqualTo(404);
    assertThat(send("POST", "v1/services/web", "Bearer " + TOKEN, "{}").statusCode())
        .isEqualTo(405);
  }

  @Test
  void eventsStreamEveryAcceptedChangeAndResumeAfterAnId() throws Exception {
    client.putService("web", spec(1));
    client.putService("web", spec(1)); // no-op: no event
    client.putService("api", spec(2));
    List<AgentEvent> seen = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                client.events(0, seen::add);
              } catch (AgentException e) {
                // the server stops at the end of the test
              }
            });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (seen.size() < 2 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(seen).extracting(AgentEvent::service).containsExactly("web", "api");
    client.putService("web", spec(4));
    deadline = System.currentTimeMillis() + 10_000;
    while (seen.size() < 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(seen).hasSize(3);
    assertThat(seen.get(2).generation()).isEqualTo(2);
    reader.interrupt();
    // resuming after the first event replays only what came after it
    List<AgentEvent> resumed = events.after(seen.get(0).seq(), 0);
    assertThat(resumed)
        .extracting(AgentEvent::seq)
        .containsExactly(seen.get(1).seq(), seen.get(2).seq());
  }

  @Test
  void metricsAreExposedInPrometheusTextFormat() throws Exception {
    client.putService("web", spec(1));
    HttpResponse<String> res = send("GET", "metrics", "Bearer " + TOKEN, null);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body())
        .contains("# TYPE stamp_agent_replace_duration_seconds histogram")
        .contains("stamp_agent_http_requests_total{code=\"202\"} 1");
  }

  @Test
  void theOpenApiDocumentParsesAndListsExactlyTheServersRoutes() throws Exception {
    JsonNode doc;
    try (InputStream in = AgentApi.class.getResourceAsStream("openapi.yaml")) {
      doc = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    Set<String> documented = new HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      for (String method : List.of("get", "put", "post", "delete", "patch")) {
        if (path.getValue().has(method)) {
          documented.add(method.toUpperCase() + " " + path.getKey());
          boolean open =
              path.getValue().get(method).has("security")
                  && path.getValue().get(method).get("security").isEmpty();
          assertThat(AgentApi.ROUTES)
              .as("%s %s: documented as %s", method, path.getKey(), open ? "open" : "token")
              .contains(new AgentApi.Route(method.toUpperCase(), path.getKey(), open));
        }
      }
    }
    Set<String> served = new HashSet<>();
    AgentApi.ROUTES.forEach(r -> served.add(r.method() + " " + r.template()));
    assertThat(documented).isEqualTo(served);
    // every field of the wire spec is documented, and nothing else
    Set<String> specFields = new HashSet<>();
    doc.at("/components/schemas/ServiceSpec/properties")
        .fieldNames()
        .forEachRemaining(specFields::add);
    Set<String> recordFields = new HashSet<>();
    for (var c : ServiceSpec.class.getRecordComponents()) {
      recordFields.add(c.getName());
    }
    assertThat(specFields).isEqualTo(recordFields);
    // and the server serves the same document
    HttpResponse<String> res = send("GET", "v1/openapi.yaml", "Bearer " + TOKEN, null);
    assertThat(res.body()).startsWith("openapi: 3.");
  }

  @Test
  void aTokenFileOthersCanReadIsRefused() throws Exception {
    Path token = dir.resolve("loose-token");
    Files.writeString(token, TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> BearerToken.fromFile(token))
        .isInstanceOfSatisfying(
            HostRuntimeException.class,
            e -> assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT))
        .hasMessageContaining("chmod 600");
    Path shortToken = dir.resolve("short-token");
    Files.writeString(shortToken, "abc");
    Files.setPosixFilePermissions(shortToken, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> BearerToken.fromFile(shortToken)).hasMessageContaining("at least 16");
  }

  @Test
  void logsOfAnUnknownContainerAre404AndPullsNeedADigest() throws Exception {
    assertThat(send("GET", "v1/containers/abc/logs", "Bearer " + TOKEN, null).statusCode())
        .isEqualTo(404);
    HttpResponse<String> res =
        send("POST", "v1/images/pull", "Bearer " + TOKEN, "{\"image\":\"busybox:latest\"}");
    assertThat(res.statusCode()).isEqualTo(422);
    assertThat(res.body()).contains("image");
    String ref = "127.0.0.1:5000/web@sha256:" + "b".repeat(64);
    res = send("POST", "v1/images/pull", "Bearer " + TOKEN, "{\"image\":\"" + ref + "\"}");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).contains("sha256:" + "b".repeat(64));
  }
}
