package dev.stamp.agent.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * What a controller uses to talk to one host's agent: every call sends the bearer token, every
 * non-2xx answer becomes an {@link AgentException} with the agent's message, problems and whether a
 * retry can help.
 */
public final class AgentClient {

  /** Jackson as the agent speaks it: records, unknown fields refused. */
  public static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final URI base;
  private final String token;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param base the agent's address ({@code http://127.0.0.1:7070})
   * @param sslContext for {@code https://} agents (trusting the agent's CA, with a client key for
   *     mTLS); null uses the JDK's defaults
   */
  public AgentClient(URI base, String token, SSLContext sslContext, Duration timeout) {
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (sslContext != null) {
      b.sslContext(sslContext);
    }
    this.http = b.build();
    this.timeout = timeout;
  }

  public AgentClient(URI base, String token) {
    this(base, token, null, Duration.ofSeconds(30));
  }

  public URI base() {
    return base;
  }

  /** {@code GET /healthz}: whether the agent answers (no token needed). */
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

  public PutResult putService(String name, ServiceSpec spec) throws AgentException {
    return call(
        "PUT", "v1/services/" + encode(name), body(spec), PutResult.class, "put service " + name);
  }

  public Optional<ServiceStatus> service(String name) throws AgentException {
    try {
      return Optional.of(
          call("GET", "v1/services/" + encode(name), null, ServiceStatus.class, "get " + name));
    } catch (AgentException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public List<ServiceStatus> services() throws AgentException {
    String json = call("GET", "v1/services", null, String.class, "list services");
    try {
      return JSON.readValue(json, new TypeReference<List<ServiceStatus>>() {});
    } catch (IOException e) {
      throw new AgentException(
          "list services: unreadable answer: " + e.getMessage(), 0, null, true);
    }
  }

  public void deleteService(String name) throws AgentException {
    call("DELETE", "v1/services/" + encode(name), null, String.class, "delete service " + name);
  }

  /**
   * {@code GET /v1/events}: calls {@code sink} with each event until the stream ends or the thread
   * is interrupted; {@code after} resumes after that sequence number ({@code Last-Event-ID}).
   */
  public void events(long after, Consumer<AgentEvent> sink) throws AgentException {
    HttpRequest.Builder req =
        authorized(HttpRequest.newBuilder(base.resolve("v1/events")))
            .header("Accept", "text/event-stream")
            .GET();
    if (after > 0) {
      req.header("Last-Event-ID", Long.toString(after));
    }
    try {
      HttpResponse<java.io.InputStream> r =
          http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        String text = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        throw failure("events", r.statusCode(), text);
      }
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("data:")) {
            sink.accept(JSON.readValue(line.substring(5).trim(), AgentEvent.class));
          }
        }
      }
    } catch (IOException e) {
      throw new AgentException("events from " + base + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private <T> T call(String method, String path, String json, Class<T> type, String what)
      throws AgentException {
    HttpRequest.Builder req =
        authorized(HttpRequest.newBuilder(base.resolve(path)))
            .timeout(timeout)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      req.header("Content-Type", "application/json");
    }
    HttpResponse<String> r;
    try {
      r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AgentException(what + " on " + base + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(what + " on " + base + ": interrupted", e);
    }
    if (r.statusCode() / 100 != 2) {
      throw failure(what, r.statusCode(), r.body());
    }
    if (type == String.class) {
      return type.cast(r.body());
    }
    try {
      return JSON.readValue(r.body(), type);
    } catch (IOException e) {
      throw new AgentException(what + ": unreadable answer: " + e.getMessage(), 0, null, true);
    }
  }

  private AgentException failure(String what, int status, String body) {
    ApiError err;
    try {
      err = JSON.readValue(body, ApiError.class);
    } catch (IOException e) {
      err = new ApiError(body == null || body.isBlank() ? "HTTP " + status : body, null, false);
    }
    boolean retryable = err.retryable() || status >= 500 || status == 409 || status == 429;
    return new AgentException(
        what + " on " + base + ": " + status + " " + err.error(),
        status,
        err.problems(),
        retryable);
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder b) {
    return b.header("Authorization", "Bearer " + token);
  }

  private static String body(Object value) throws AgentException {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new AgentException("encode request: " + e.getMessage(), 0, null, false);
    }
  }

  private static String encode(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }
}
