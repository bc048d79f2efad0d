package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side shared by every registry client of one {@link Registries}: one {@link HttpClient}
 * (HTTP/1.1, redirects followed by the caller so credentials never leak to another host), the
 * timeouts and the retry loop.
 */
final class Transport {

  private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

  /** One try of a request; IOException means "the network failed", retried when it may pass. */
  @FunctionalInterface
  interface Attempt<T> {
    T run() throws IOException, HostRuntimeException;
  }

  /** An answer: status, headers and a body that times out when the registry falls silent. */
  record Answer(HttpResponse<TimedBodyStream> response, TimedBodyStream body)
      implements AutoCloseable {
    int status() {
      return response.statusCode();
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    List<String> headers(String name) {
      return response.headers().allValues(name);
    }

    @Override
    public void close() {
      body.close();
    }
  }

  private final HttpClient http;
  private final RegistryConfig config;

  Transport(RegistryConfig config) {
    this.config = config;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  RegistryConfig config() {
    return config;
  }

  /** Sends one request (request timeout applied); the caller closes the answer. */
  Answer send(HttpRequest.Builder request) throws IOException {
    HttpRequest built = request.timeout(config.requestTimeout()).build();
    TimedBodyStream body = new TimedBodyStream(config.readTimeout(), built.uri().getAuthority());
    try {
      HttpResponse<TimedBodyStream> response = http.send(built, info -> body);
      LOG.debug("{} {} -> {}", built.method(), built.uri(), response.statusCode());
      return new Answer(response, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(built.method() + " " + built.uri() + ": interrupted");
    } catch (HttpTimeoutException e) {
      throw new HttpTimeoutException(
          "timed out after "
              + DurationText.describe(config.requestTimeout())
              + " waiting for an answer from "
              + built.uri().getAuthority());
    } catch (ConnectException e) {
      ConnectException named = new ConnectException(built.uri().getAuthority() + ": " + reason(e));
      named.initCause(e);
      throw named;
    } catch (SSLException e) {
      throw new SSLException(built.uri().getAuthority() + ": " + reason(e), e);
    } catch (IOException e) {
      throw new IOException(built.uri().getAuthority() + ": " + reason(e), e);
    }
  }

  /** The first message in {@code e}'s cause chain (the JDK often wraps a bare cause). */
  static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return withoutMessage(e);
  }

  /** Words for the JDK's message-less I/O failures (never a class name in a user's error). */
  private static String withoutMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (t instanceof java.net.UnknownHostException
          || t instanceof java.nio.channels.UnresolvedAddressException) {
        return "unknown host";
      }
      if (t instanceof HttpTimeoutException) {
        return "timed out";
      }
      if (t instanceof java.nio.channels.ClosedChannelException) {
        return "connection closed";
      }
    }
    return "I/O failure";
  }

  /**
   * Runs {@code attempt} until it succeeds, fails for good, or the retry policy gives up: retried
   * are I/O failures and {@link RegistryException#retryable()} answers (5xx, 429).
   */
  <T> T retrying(String action, Attempt<T> attempt) throws HostRuntimeException {
    RetryPolicy policy = config.retry();
    for (int n = 1; ; n++) {
      RegistryException failure;
      try {
        return attempt.run();
      } catch (RegistryException e) {
        failure = e;
      } catch (IOException e) {
        failure = describe(action, e);
      }
      if (Thread.currentThread().isInterrupted() || !policy.retries(n, failure)) {
        throw n > 1 ? failure.withNote("(after " + n + " attempts)") : failure;
      }
      LOG.info("{}; retrying ({} of {})", failure.getMessage(), n + 1, policy.maxAttempts());
      policy.sleepAfter(n);
    }
  }

  /** An I/O failure as a registry failure: timeouts and resets may pass, TLS failures will not. */
  static RegistryException describe(String action, IOException e) {
    if (e instanceof HttpTimeoutException) {
      return RegistryException.io(action, e.getMessage(), true, e);
    }
    if (e instanceof InterruptedIOException) {
      return RegistryException.io(action, e.getMessage(), false, e);
    }
    if (e instanceof SSLException) {
      return RegistryException.io(action, "TLS failed: " + reason(e), false, e);
    }
    if (e instanceof ConnectException) {
      return RegistryException.io(action, "cannot connect to " + reason(e), true, e);
    }
    return RegistryException.io(action, "I/O error: " + reason(e), true, e);
  }
}
