package dev.stamp.controller.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.controller.ControllerException;
import dev.stamp.httpserver.RequestBodies;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.http.Pem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The controller's API over HTTP, for the CLI ({@code stamp sync|status|history|rollback|plan}) and
 * tests: every call sends the bearer token; every error answer becomes a {@link
 * ControllerException} with the server's kind, message and retryability; an unreachable controller
 * is a retryable FAILED. Answers are read leniently (fields a newer server adds are skipped).
 */
public final class ControllerClient {

  static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final int MAX_QUIET_RECONNECTS = 5;

  private final URI base;
  private final String token;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param base the controller's address ({@code https://ctl.example:7443/})
   * @param sslContext for {@code https://} (see {@link #trusting}); null uses the JDK's defaults
   */
  public ControllerClient(URI base, String token, SSLContext sslContext, Duration timeout) {
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (sslContext != null) {
      b.sslContext(sslContext);
    }
    this.http = b.build();
    this.timeout = timeout;
  }

  public ControllerClient(URI base, String token) {
    this(base, token, null, Duration.ofSeconds(30));
  }

  /** An SSL context trusting the CA certificates in PEM file {@code caFile} (and only them). */
  public static SSLContext trusting(Path caFile) throws ControllerException {
    KeyStore trust;
    try {
      trust = Pem.trustStore(caFile);
    } catch (dev.stamp.runtime.HostRuntimeException e) {
      throw new ControllerException("trust the controller's CA", e);
    }
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw ControllerException.badInput("CA file " + caFile + ": " + e.getMessage());
    }
  }

  /**
   * The token in {@code file} (one line, surrounding space stripped), for a CLI given {@code
   * --token-file}; BAD_INPUT when it cannot be read or is empty.
   */
  public static String tokenFrom(Path file) throws ControllerException {
    String token;
    try {
      token = java.nio.file.Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw ControllerException.badInput(
          "controller token file " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw ControllerException.badInput(
          "controller token file " + file + ": expected one line of printable characters");
    }
    return token;
  }

  public URI base() {
    return base;
  }

  /** {@code GET /healthz}: whether the controller answers (no token needed). */
  public boolean healthy() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base.resolve("healthz")).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public List<AppView> apps() throws ControllerException {
    return call("GET", "api/v1/apps", null, new TypeReference<List<AppView>>() {}, "list apps");
  }

  public AppView app(String app) throws ControllerException {
    return call("GET", appPath(app), null, type(AppView.class), "status of " + app);
  }

  public List<ReleaseView> history(String app, int max) throws ControllerException {
    return call(
        "GET",
        appPath(app) + "/history?limit=" + max,
        null,
        new TypeReference<List<ReleaseView>>() {},
        "history of " + app);
  }

  public ReleaseView release(String app, long id) throws ControllerException {
    return call(
        "GET",
        appPath(app) + "/releases/" + id,
        null,
        type(ReleaseView.class),
        "release " + id + " of " + app);
  }

  public PlanView plan(String app, Optional<String> rev) throws ControllerException {
    String q = rev.map(r -> "?rev=" + URLEncoder.encode(r, StandardCharsets.UTF_8)).orElse("");
    return call("GET", appPath(app) + "/plan" + q, null, type(PlanView.class), "plan of " + app);
  }

  public SyncAccepted sync(String app, Optional<String> rev, boolean overrideWindow)
      throws ControllerException {
    SyncRequest body = new SyncRequest(rev.orElse(null), overrideWindow ? true : null);
    return call("POST", appPath(app) + "/sync", body, type(SyncAccepted.class), "sync " + app);
  }

  public SyncAccepted rollback(String app, Optional<Long> toRelease) throws ControllerException {
    RollbackRequest body = new RollbackRequest(toRelease.orElse(null));
    return call(
        "POST", appPath(app) + "/rollback", body, type(SyncAccepted.class), "rollback " + app);
  }

  /**
   * Follows {@code app}'s events after id {@code after}, handing each to {@code handler} until it
   * answers false or the thread is interrupted; a dropped stream is resumed with {@code
   * Last-Event-ID} (given up after {@value #MAX_QUIET_RECONNECTS} reconnects in a row that brought
   * nothing). Returns the id of the last event handled. An error the server sends in the stream, or
   * a refusal (401, 404), is thrown. An interrupt is noticed at the next line the server sends (a
   * heartbeat at the latest).
   */
  public long events(String app, long after, Predicate<EventView> handler)
      throws ControllerException {
    long last = after;
    int quiet = 0;
    while (!Thread.currentThread().isInterrupted()) {
      long before = last;
      try {
        Stream s = stream(app, last, handler);
        last = s.last;
        if (s.stopped) {
          return last;
        }
      } catch (ControllerException e) {
        if (!e.retryable() || quiet >= MAX_QUIET_RECONNECTS) {
          throw e;
        }
      }
      quiet = last > before ? 0 : quiet + 1;
      if (quiet > MAX_QUIET_RECONNECTS) {
        throw ControllerException.unavailable(
            "events of " + app + " from " + base + ": the stream keeps ending; gave up", null);
      }
      try {
        Thread.sleep(Math.min(2000, 100L << quiet));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return last;
  }

  private record Stream(long last, boolean stopped) {}

  private Stream stream(String app, long after, Predicate<EventView> handler)
      throws ControllerException {
    String what = "events of " + app;
    HttpRequest.Builder req =
        authorized(HttpRequest.newBuilder(base.resolve(appPath(app) + "/events")))
            .header("Accept", "text/event-stream")
            .GET();
    if (after > 0) {
      req.header("Last-Event-ID", Long.toString(after));
    }
    long last = after;
    try {
      HttpResponse<InputStream> r =
          http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        String text;
        try (InputStream in = r.body()) {
          text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        throw failure(what, r.statusCode(), text);
      }
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String event = "message";
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) {
            if (data.length() > 0) {
              if (event.equals("error")) {
                throw failure(what, 0, data.toString());
              }
              EventView e = JSON.readValue(data.toString(), EventView.class);
              last = Math.max(last, e.id());
              if (!handler.test(e)) {
                return new Stream(last, true);
              }
            }
            event = "message";
            data.setLength(0);
          } else if (line.startsWith("event:")) {
            event = line.substring(6).strip();
          } else if (line.startsWith("data:")) {
            if (data.length() > 0) {
              data.append('\n');
            }
            data.append(line.substring(5).strip());
          }
          // "id:" repeats the event's own id; ":" lines are heartbeats and comments
          if (Thread.currentThread().isInterrupted()) {
            return new Stream(last, true);
          }
        }
      }
      return new Stream(last, false);
    } catch (IOException e) {
      throw ControllerException.unavailable(what + " from " + base + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Stream(last, true);
    }
  }

  private <T> T call(String method, String path, Object body, TypeReference<T> type, String what)
      throws ControllerException {
    return call(method, path, body, JSON.getTypeFactory().constructType(type), what);
  }

  private <T> T call(String method, String path, Object body, JavaType type, String what)
      throws ControllerException {
    HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
    if (body != null) {
      try {
        publisher = HttpRequest.BodyPublishers.ofByteArray(Bodies.JSON.writeValueAsBytes(body));
      } catch (IOException e) {
        throw ControllerException.failed(what + ": encode the request: " + e.getMessage(), e);
      }
    }
    HttpRequest.Builder req =
        authorized(HttpRequest.newBuilder(base.resolve(path)))
            .timeout(timeout)
            .header("Accept", "application/json")
            .method(method, publisher);
    if (body != null) {
      req.header("Content-Type", "application/json");
    }
    HttpResponse<String> r;
    try {
      r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (javax.net.ssl.SSLException e) {
      // a certificate the client does not trust will not become trusted by retrying
      throw ControllerException.failed(
          what + ": TLS with the controller at " + base + " failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw ControllerException.unavailable(
          what + ": controller at " + base + " unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ControllerException.unavailable(what + " on " + base + ": interrupted", e);
    }
    if (r.statusCode() / 100 != 2) {
      throw failure(what, r.statusCode(), r.body());
    }
    try {
      return JSON.readValue(r.body(), type);
    } catch (IOException e) {
      throw ControllerException.failed(
          what + ": unreadable answer from " + base + ": " + RequestBodies.shorten(e.getMessage()),
          e);
    }
  }

  /** The server's error as a ControllerException of the same kind, message and retryability. */
  static ControllerException failure(String what, int status, String body) {
    ApiError.Detail d = null;
    try {
      ApiError err = JSON.readValue(body, ApiError.class);
      d = err == null ? null : err.error();
    } catch (IOException e) {
      // not ours (a proxy's page): described from the status below
    }
    if (d == null || d.code() == null || d.message() == null) {
      String text =
          body == null || body.isBlank() ? "" : ": " + RequestBodies.shorten(body.strip());
      boolean retryable = status >= 500 || status == 429;
      return new ControllerException(
          status == 404 ? StampException.Kind.NOT_FOUND : StampException.Kind.FAILED,
          what + ": HTTP " + status + text,
          null,
          retryable);
    }
    StampException.Kind kind =
        switch (d.code()) {
          case "bad_request", "bad_input", "payload_too_large", "unauthorized" ->
              StampException.Kind.BAD_INPUT;
          case "not_found" -> StampException.Kind.NOT_FOUND;
          case "conflict" -> StampException.Kind.CONFLICT;
          default -> StampException.Kind.FAILED;
        };
    return new ControllerException(kind, d.message(), null, d.retryable());
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder b) {
    return b.header("Authorization", "Bearer " + token);
  }

  private static JavaType type(Class<?> c) {
    return JSON.getTypeFactory().constructType(c);
  }

  private static String appPath(String app) {
    return "api/v1/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8);
  }
}
