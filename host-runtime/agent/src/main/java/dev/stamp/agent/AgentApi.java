package dev.stamp.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.stamp.agent.api.AgentEvent;
import dev.stamp.agent.api.ApiError;
import dev.stamp.agent.api.Problem;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.httpserver.RequestBodies;
import dev.stamp.httpserver.RouteTable;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.http.BearerToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API (see {@code openapi.yaml} beside this class): JSON in and out, a bearer
 * token on every route but {@code GET /healthz}, every refusal an {@link ApiError} naming the
 * field.
 */
public final class AgentApi extends Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(AgentApi.class);
  static final int MAX_BODY = 1 << 20;
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

  /** One route: method, path template ({@code {name}} is one path segment), whether public. */
  public record Route(String method, String template, boolean open) implements RouteTable.Route {}

  /** Every route the server answers, in the order they are matched. */
  public static final List<Route> ROUTES =
      List.of(
          new Route("GET", "/healthz", true),
          new Route("GET", "/metrics", false),
          new Route("GET", "/v1/openapi.yaml", false),
          new Route("GET", "/v1/services", false),
          new Route("GET", "/v1/services/{name}", false),
          new Route("PUT", "/v1/services/{name}", false),
          new Route("DELETE", "/v1/services/{name}", false),
          new Route("GET", "/v1/containers/{id}/logs", false),
          new Route("POST", "/v1/images/pull", false),
          new Route("GET", "/v1/events", false));

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final BearerToken token;
  private final DesiredStore desired;
  private final ServiceEngine engine;
  private final EventLog events;
  private final AgentMetrics metrics;
  private final RouteTable<Route> routes = new RouteTable<>(ROUTES);
  private volatile boolean stopping;

  AgentApi(
      BearerToken token,
      DesiredStore desired,
      ServiceEngine engine,
      EventLog events,
      AgentMetrics metrics) {
    this.token = token;
    this.desired = desired;
    this.engine = engine;
    this.events = events;
    this.metrics = metrics;
  }

  void stopping() {
    stopping = true;
  }

  /** A request body that is an image pull. */
  record PullRequest(String image) {}

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    try {
      RouteTable.Match<Route> match = routes.match(method, path);
      if (!(match instanceof RouteTable.Found<Route> found)) {
        reply(
            response,
            callback,
            match instanceof RouteTable.WrongMethod ? 405 : 404,
            ApiError.of(method + " " + path + ": no such route"));
        return true;
      }
      Route route = found.route();
      List<String> params = found.params();
      if (!route.open() && !token.matches(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
        LOG.warn(
            "refused {} {} from {}: missing or wrong bearer token",
            method,
            path,
            Request.getRemoteAddr(request));
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"stamp-agent\"");
        reply(response, callback, 401, ApiError.of("missing or wrong bearer token"));
        return true;
      }
      dispatch(route, params, request, response, callback);
    } catch (ApiFailure f) {
      reply(response, callback, f.status, f.error);
    } catch (StampException e) {
      reply(
          response,
          callback,
          status(e),
          new ApiError(e.getMessage(), List.of(), e.kind() == StampException.Kind.FAILED));
    } catch (RuntimeException | IOException e) {
      LOG.error("{} {} failed", method, path, e);
      reply(response, callback, 500, new ApiError(method + " " + path + ": " + e, List.of(), true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply(response, callback, 503, new ApiError("agent is stopping", List.of(), true));
    }
    return true;
  }

  private void dispatch(
      Route route, List<String> params, Request request, Response response, Callback callback)
      throws StampException, IOException, InterruptedException, ApiFailure {
    switch (route.method() + " " + route.template()) {
      case "GET /healthz" -> reply(response, callback, 200, Map.of("status", "ok"));
      case "GET /metrics" -> {
        response
            .getHeaders()
            .put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        response.setStatus(200);
        response.write(true, ByteBuffer.wrap(out.toByteArray()), callback);
      }
      case "GET /v1/openapi.yaml" -> {
        byte[] doc;
        try (InputStream in = AgentApi.class.getResourceAsStream("openapi.yaml")) {
          doc = in.readAllBytes();
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/yaml");
        response.setStatus(200);
        response.write(true, ByteBuffer.wrap(doc), callback);
      }
      case "GET /v1/services" -> {
        List<ServiceStatus> all = new ArrayList<>();
        for (DesiredService d : desired.all()) {
          all.add(engine.observe(d));
        }
        reply(response, callback, 200, all);
      }
      case "GET /v1/services/{name}" -> {
        String name = name(params.get(0));
        Optional<DesiredService> d = desired.get(name);
        if (d.isEmpty()) {
          throw new ApiFailure(404, ApiError.of("service " + name + ": not found"));
        }
        reply(response, callback, 200, engine.observe(d.get()));
      }
      case "PUT /v1/services/{name}" -> {
        String name = name(params.get(0));
        ServiceSpec spec = body(request, ServiceSpec.class);
        List<Problem> problems = spec.problems();
        if (!problems.isEmpty()) {
          throw new ApiFailure(
              422,
              new ApiError(
                  "service " + name + ": " + problems.size() + " problem(s): " + problems.get(0),
                  problems,
                  false));
        }
        List<ServiceEngine.CheckProblem> lacking = engine.check(name, spec);
        if (!lacking.isEmpty()) {
          boolean conflict = lacking.stream().anyMatch(ServiceEngine.CheckProblem::conflict);
          List<Problem> listed = lacking.stream().map(ServiceEngine.CheckProblem::problem).toList();
          throw new ApiFailure(
              conflict ? 409 : 422,
              new ApiError(
                  "service " + name + ": " + listed.size() + " problem(s): " + listed.get(0),
                  listed,
                  conflict));
        }
        PutResult r = desired.put(name, spec);
        if (r.changed()) {
          events.add(name, "desired", r.generation(), "spec " + r.specDigest() + " accepted");
          engine.desiredChanged(name);
        }
        reply(response, callback, r.changed() ? 202 : 200, r);
      }
      case "DELETE /v1/services/{name}" -> {
        String name = name(params.get(0));
        Optional<DesiredService> d = desired.markDeleted(name);
        if (d.isEmpty()) {
          throw new ApiFailure(404, ApiError.of("service " + name + ": not found"));
        }
        events.add(name, "deleting", d.get().generation(), "removal requested");
        engine.desiredChanged(name);
        reply(response, callback, 202, Map.of("name", name, "generation", d.get().generation()));
      }
      case "GET /v1/containers/{id}/logs" -> {
        String id = params.get(0);
        Fields query = Request.extractQueryParameters(request);
        boolean follow =
            "true".equals(query.getValue("follow")) || "1".equals(query.getValue("follow"));
        ServiceEngine.LogStream log = engine.logs(id, follow);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.setStatus(200);
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
          log.writeTo(out);
        }
        callback.succeeded();
      }
      case "POST /v1/images/pull" -> {
        PullRequest pull = body(request, PullRequest.class);
        if (pull.image() == null
            || !pull.image().matches("[a-z0-9][a-z0-9._/:-]*@sha256:[a-f0-9]{64}")) {
          throw new ApiFailure(
              422,
              new ApiError(
                  "image: expected REGISTRY/REPO@sha256:<64 hex>, got " + pull.image(),
                  List.of(new Problem("image", "an image reference by digest")),
                  false));
        }
        String digest = engine.pull(pull.image());
        reply(response, callback, 200, Map.of("image", pull.image(), "digest", digest));
      }
      case "GET /v1/events" -> streamEvents(request, response, callback);
      default -> throw new IllegalStateException("route without a handler: " + route);
    }
  }

  private void streamEvents(Request request, Response response, Callback callback)
      throws IOException, InterruptedException {
    long after = 0;
    String last = request.getHeaders().get("Last-Event-ID");
    String fromQuery = Request.extractQueryParameters(request).getValue("after");
    try {
      after = Long.parseLong(last != null ? last : fromQuery != null ? fromQuery : "0");
    } catch (NumberFormatException e) {
      after = 0;
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    write(response, ": stamp agent events\n\n");
    while (!stopping) {
      List<AgentEvent> batch = events.after(after, 15_000);
      StringBuilder sb = new StringBuilder();
      if (batch.isEmpty()) {
        sb.append(": keepalive\n\n");
      }
      for (AgentEvent e : batch) {
        sb.append("id: ").append(e.seq()).append('\n');
        sb.append("event: ").append(e.type()).append('\n');
        sb.append("data: ").append(JSON.writeValueAsString(e)).append("\n\n");
        after = e.seq();
      }
      try {
        write(response, sb.toString());
      } catch (IOException e) {
        break; // the reader went away
      }
    }
    callback.succeeded();
  }

  private static void write(Response response, String text) throws IOException {
    try (Blocker.Callback cb = Blocker.callback()) {
      response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), cb);
      cb.block();
    }
  }

  private static String name(String raw) throws ApiFailure {
    if (!NAME.matcher(raw).matches()) {
      throw new ApiFailure(
          400,
          new ApiError(
              "service name: expected [a-z0-9][a-z0-9_.-]{0,62}, got " + raw,
              List.of(new Problem("name", "lower-case letters, digits, '_', '.', '-'")),
              false));
    }
    return raw;
  }

  private static <T> T body(Request request, Class<T> type) throws IOException, ApiFailure {
    byte[] bytes;
    try {
      bytes = RequestBodies.read(request, MAX_BODY);
    } catch (RequestBodies.TooLarge e) {
      throw new ApiFailure(413, ApiError.of("request body over " + MAX_BODY + " bytes"));
    }
    if (bytes.length == 0) {
      throw new ApiFailure(400, ApiError.of("request body: expected a JSON object, got nothing"));
    }
    try {
      T value = JSON.readValue(bytes, type);
      if (value == null) {
        throw new ApiFailure(400, ApiError.of("request body: expected a JSON object, got null"));
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      String field = RequestBodies.path(e);
      throw new ApiFailure(
          400,
          new ApiError(
              field + ": unknown field (known: " + e.getKnownPropertyIds() + ")",
              List.of(new Problem(field, "unknown field")),
              false));
    } catch (JsonMappingException e) {
      String field = RequestBodies.path(e);
      String why = e.getOriginalMessage().replaceAll("\\s+", " ");
      throw new ApiFailure(
          400,
          new ApiError(
              (field.isEmpty() ? "request body" : field) + ": " + RequestBodies.shorten(why),
              List.of(new Problem(field, RequestBodies.shorten(why))),
              false));
    } catch (JsonProcessingException e) {
      throw new ApiFailure(
          400,
          ApiError.of(
              "request body: malformed JSON at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ": "
                  + RequestBodies.shorten(e.getOriginalMessage())));
    }
  }

  private static int status(StampException e) {
    return switch (e.kind()) {
      case BAD_INPUT -> 422;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case FAILED -> 500;
    };
  }

  private void reply(Response response, Callback callback, int status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      status = 500;
      bytes =
          ("{\"error\":\"encode answer: " + e.getOriginalMessage().replace('"', '\'') + "\"}")
              .getBytes(StandardCharsets.UTF_8);
    }
    metrics.request(status);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    RequestBodies.closeIfBodyLeft(response);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /** A refusal with its HTTP status, thrown inside a handler. */
  static final class ApiFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient ApiError error;

    ApiFailure(int status, ApiError error) {
      super(error.error());
      this.status = status;
      this.error = error;
    }
  }
}
