package dev.stamp.controller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stamp.controller.ControllerException;
import dev.stamp.httpserver.RequestBodies;
import dev.stamp.httpserver.RouteTable;
import dev.stamp.runtime.http.BearerToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's HTTP API (described by {@code openapi/controller-v1.yaml}): a table of {@link
 * #ROUTES}, each open, behind the bearer token, or behind a webhook signature; JSON in and out;
 * every refusal an {@link ApiError} with a code, a message naming the input, and retryability.
 */
public final class ControllerApi extends Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(ControllerApi.class);
  static final int MAX_BODY = 1 << 20;
  static final Pattern APP = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
  static final int DEFAULT_HISTORY = 20;
  static final int MAX_HISTORY = 1000;
  static final String OPENAPI = "/openapi/controller-v1.yaml";

  /** Who may call a route: anyone, holders of the bearer token, or a signed webhook sender. */
  public enum Access {
    OPEN,
    TOKEN,
    SIGNATURE
  }

  /** One route: method, path template ({@code {name}} is one path segment), access. */
  public record Route(String method, String template, Access access) implements RouteTable.Route {}

  /** Every route the server answers, in the order they are matched. */
  public static final List<Route> ROUTES =
      List.of(
          new Route("GET", "/healthz", Access.OPEN),
          new Route("GET", "/metrics", Access.TOKEN),
          new Route("GET", "/api/v1/openapi.yaml", Access.TOKEN),
          new Route("GET", "/api/v1/apps", Access.TOKEN),
          new Route("GET", "/api/v1/apps/{app}", Access.TOKEN),
          new Route("GET", "/api/v1/apps/{app}/history", Access.TOKEN),
          new Route("GET", "/api/v1/apps/{app}/releases/{id}", Access.TOKEN),
          new Route("GET", "/api/v1/apps/{app}/plan", Access.TOKEN),
          new Route("POST", "/api/v1/apps/{app}/sync", Access.TOKEN),
          new Route("POST", "/api/v1/apps/{app}/rollback", Access.TOKEN),
          new Route("GET", "/api/v1/apps/{app}/events", Access.TOKEN),
          new Route("POST", "/hooks/github", Access.SIGNATURE),
          new Route("POST", "/hooks/gitlab", Access.SIGNATURE),
          new Route("POST", "/hooks/generic", Access.SIGNATURE));

  private final BearerToken token;
  private final ControllerOperations ops;
  private final ControllerMetrics metrics;
  private final Webhooks webhooks;
  private final EventStream events;
  private final RouteTable<Route> routes = new RouteTable<>(ROUTES);

  ControllerApi(
      BearerToken token,
      ControllerOperations ops,
      ControllerMetrics metrics,
      Duration heartbeat,
      int eventBuffer,
      int maxStreams) {
    this.token = token;
    this.ops = ops;
    this.metrics = metrics;
    this.webhooks = new Webhooks(ops, metrics);
    this.events = new EventStream(ops, metrics, heartbeat, eventBuffer, maxStreams);
  }

  void stopping() {
    events.stop();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    try {
      RouteTable.Match<Route> match = routes.match(method, path);
      if (match instanceof RouteTable.WrongMethod<Route> wrong) {
        response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", wrong.allowed()));
        throw new ApiFailure(
            ApiError.Code.METHOD_NOT_ALLOWED, method + " " + path + ": not allowed");
      }
      if (!(match instanceof RouteTable.Found<Route> found)) {
        throw new ApiFailure(ApiError.Code.NOT_FOUND, method + " " + path + ": no such route");
      }
      Route route = found.route();
      List<String> params = found.params();
      if (route.access() == Access.TOKEN
          && !token.matches(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
        LOG.warn(
            "refused {} {} from {}: missing or wrong bearer token",
            method,
            path,
            Request.getRemoteAddr(request));
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"stamp-controller\"");
        throw new ApiFailure(ApiError.Code.UNAUTHORIZED, "missing or wrong bearer token");
      }
      dispatch(route, params, request, response, callback);
    } catch (ApiFailure f) {
      reply(response, callback, f.code.status(), f.error());
    } catch (ControllerException e) {
      ApiFailure f = ApiFailure.of(e);
      reply(response, callback, f.code.status(), f.error());
    } catch (RuntimeException | IOException e) {
      LOG.error("{} {} failed", method, path, e);
      reply(
          response,
          callback,
          500,
          ApiError.of(ApiError.Code.FAILED, method + " " + path + ": " + e, true, null));
    }
    return true;
  }

  private void dispatch(
      Route route, List<String> params, Request request, Response response, Callback callback)
      throws ApiFailure, ControllerException, IOException {
    Fields query = Request.extractQueryParameters(request);
    switch (route.method() + " " + route.template()) {
      case "GET /healthz" -> reply(response, callback, 200, Map.of("status", "ok"));
      case "GET /metrics" -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        metrics.request(200);
        raw(response, callback, "text/plain; version=0.0.4; charset=utf-8", out.toByteArray());
      }
      case "GET /api/v1/openapi.yaml" -> {
        byte[] doc;
        try (InputStream in = ControllerApi.class.getResourceAsStream(OPENAPI)) {
          doc = in.readAllBytes();
        }
        metrics.request(200);
        raw(response, callback, "application/yaml", doc);
      }
      case "GET /api/v1/apps" -> reply(response, callback, 200, ops.apps());
      case "GET /api/v1/apps/{app}" -> reply(response, callback, 200, ops.app(app(params)));
      case "GET /api/v1/apps/{app}/releases/{id}" -> {
        String id = params.get(1);
        if (!id.matches("[1-9][0-9]{0,17}")) {
          throw new ApiFailure(
              ApiError.Code.BAD_REQUEST,
              "release id: expected a positive integer, got " + id,
              "id");
        }
        reply(response, callback, 200, ops.release(app(params), Long.parseLong(id)));
      }
      case "GET /api/v1/apps/{app}/history" -> {
        int limit = (int) number(query, "limit", DEFAULT_HISTORY, 1, MAX_HISTORY);
        reply(response, callback, 200, ops.history(app(params), limit));
      }
      case "GET /api/v1/apps/{app}/plan" -> {
        String app = app(params);
        Optional<String> rev = revision(Optional.ofNullable(query.getValue("rev")), "rev");
        reply(response, callback, 200, ops.plan(app, rev));
      }
      case "POST /api/v1/apps/{app}/sync" -> {
        String app = app(params);
        SyncRequest body =
            Bodies.json(
                Bodies.read(request, MAX_BODY), SyncRequest.class, new SyncRequest(null, null));
        Optional<String> rev = revision(Optional.ofNullable(body.revision()), "revision");
        boolean override = Boolean.TRUE.equals(body.overrideSyncWindow());
        reply(response, callback, 202, ops.sync(app, rev, override));
      }
      case "POST /api/v1/apps/{app}/rollback" -> {
        String app = app(params);
        RollbackRequest body =
            Bodies.json(
                Bodies.read(request, MAX_BODY), RollbackRequest.class, new RollbackRequest(null));
        if (body.toRelease() != null && body.toRelease() < 1) {
          throw new ApiFailure(
              ApiError.Code.BAD_REQUEST,
              "toRelease: expected a release id of 1 or more, got " + body.toRelease(),
              "toRelease");
        }
        reply(response, callback, 202, ops.rollback(app, Optional.ofNullable(body.toRelease())));
      }
      case "GET /api/v1/apps/{app}/events" -> {
        String app = app(params);
        String last = request.getHeaders().get("Last-Event-ID");
        long after =
            last != null && !last.isBlank()
                ? number(last.strip(), "Last-Event-ID", 0, Long.MAX_VALUE)
                : number(query, "after", 0, 0, Long.MAX_VALUE);
        events.serve(app, after, response);
        metrics.request(200);
        callback.succeeded();
      }
      case "POST /hooks/github", "POST /hooks/gitlab", "POST /hooks/generic" -> {
        String provider = route.template().substring("/hooks/".length());
        byte[] body;
        try {
          body = Bodies.read(request, Webhooks.MAX_BODY);
        } catch (ApiFailure f) {
          metrics.webhook(provider, "too_large");
          throw f;
        }
        Webhooks.Reply r =
            webhooks.deliver(
                provider,
                name -> request.getHeaders().get(name),
                body,
                Request.getRemoteAddr(request));
        reply(response, callback, r.result().equals("ping") ? 200 : 202, r);
      }
      default -> throw new IllegalStateException("route without a handler: " + route);
    }
  }

  private static String app(List<String> params) throws ApiFailure {
    String raw = params.get(0);
    if (!APP.matcher(raw).matches()) {
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          "app: expected [a-z0-9][a-z0-9_.-]{0,62}, got " + Webhooks.clean(raw),
          "app");
    }
    return raw;
  }

  /** A revision as given: a commit id or a ref name, no spaces or control characters. */
  private static Optional<String> revision(Optional<String> rev, String field) throws ApiFailure {
    if (rev.isEmpty()) {
      return rev;
    }
    String r = rev.get();
    if (r.isEmpty()
        || r.length() > 255
        || r.startsWith("-")
        || r.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          field + ": expected a commit id or a ref name, got " + Webhooks.clean(r),
          field);
    }
    return rev;
  }

  private static long number(Fields query, String name, long dflt, long min, long max)
      throws ApiFailure {
    String v = query.getValue(name);
    return v == null ? dflt : number(v, name, min, max);
  }

  private static long number(String v, String name, long min, long max) throws ApiFailure {
    try {
      long n = Long.parseLong(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ApiFailure(
        ApiError.Code.BAD_REQUEST,
        name
            + ": expected a whole number from "
            + min
            + " to "
            + max
            + ", got "
            + Webhooks.clean(v),
        name);
  }

  private void raw(Response response, Callback callback, String type, byte[] bytes) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  private void reply(Response response, Callback callback, int status, Object body) {
    byte[] bytes;
    try {
      bytes = Bodies.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      status = 500;
      bytes =
          ("{\"error\":{\"code\":\"failed\",\"message\":\"encode answer: "
                  + e.getOriginalMessage().replaceAll("[\"\\\\]", "'")
                  + "\",\"retryable\":false}}")
              .getBytes(StandardCharsets.UTF_8);
    }
    metrics.request(status);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    RequestBodies.closeIfBodyLeft(response);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }
}
