package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;

/**
 * The HTTP side shared by every registry client of one {@link Registries}: one {@link HttpClient}
 * (HTTP/1.1, redirects followed by the caller so credentials never leak to another host), the
 * timeouts and the retry loop.
 */
final class Transport {

  private static Logger log() {
    return Logs.of(Transport.class);
  }

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

  /** The answer to a {@link #probe}: status and headers (names lower case). */
  record Probe(int status, Map<String, List<String>> headers) {
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  /**
   * The JDK client reads and sends bodies in buffers of {@code jdk.httpclient.bufsize} bytes, 16
   * KiB by default: a 100 MB blob is then ~6,000 trips through its reactive plumbing, which a fresh
   * JVM runs mostly interpreted (a cold 100 MB pull spent 0.56 s downloading; 0.33 s with 256 KiB).
   * Set for the process unless the user set it, before the client's classes read it.
   */
  static final String BUFSIZE = "262144";

  static {
    if (System.getProperty("jdk.httpclient.bufsize") == null) {
      System.setProperty("jdk.httpclient.bufsize", BUFSIZE);
    }
  }

  private final RegistryConfig config;
  private volatile boolean logRequests = true;
  private FutureTask<HttpClient> plain; // guarded by this
  private FutureTask<HttpClient> tls; // guarded by this
  private int waiting; // requests waiting for their answer, guarded by this
  private boolean exiting; // clients stopped by ClientShutdown, guarded by this

  Transport(RegistryConfig config) {
    this.config = config;
  }

  RegistryConfig config() {
    return config;
  }

  /** Whether each request is logged (at debug level). */
  void logRequests(boolean on) {
    logRequests = on;
  }

  /**
   * Starts building the client for {@code uri}'s scheme on a thread of its own, for a caller that
   * will surely send requests and has other start-up work to do meanwhile (loading images, the JSON
   * mapper): in a fresh JVM the two overlap instead of adding up.
   */
  void prepare(URI uri) {
    FutureTask<HttpClient> task;
    synchronized (this) {
      if (started(uri)) {
        return;
      }
      task = clientTask(uri);
    }
    Thread t = new Thread(task, "stamp-http-init");
    t.setDaemon(true);
    t.start();
  }

  private static boolean isTls(URI uri) {
    return "https".equalsIgnoreCase(uri.getScheme());
  }

  private synchronized boolean started(URI uri) {
    return (isTls(uri) ? tls : plain) != null;
  }

  private synchronized FutureTask<HttpClient> clientTask(URI uri) {
    ClientShutdown.atExit(this);
    if (isTls(uri)) {
      if (tls == null) {
        tls = new FutureTask<>(() -> builder().build());
      }
      return tls;
    }
    if (plain == null) {
      plain = new FutureTask<>(() -> plainBuilder().build());
    }
    return plain;
  }

  private HttpClient.Builder builder() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER);
  }

  /**
   * For plain-http registries (loopback, insecure): a TLS context of no provider, so the client
   * neither loads the trust store nor looks up the TLS provider. Even an uninitialised {@code
   * SSLContext.getInstance("TLS")} loads JSSE and its cipher tables (~400 classes, ~60 ms of a
   * fresh JVM); this client only ever sees http:// URIs and never calls it.
   */
  private HttpClient.Builder plainBuilder() {
    return builder().sslContext(NoTls.CONTEXT).sslParameters(new SSLParameters());
  }

  /** The TLS context of the plain-http client: every use fails, none is expected. */
  private static final class NoTls extends SSLContextSpi {
    static final SSLContext CONTEXT = new SSLContext(new NoTls(), null, "none") {};

    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException("TLS through the plain-http registry client");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw refused();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw refused();
    }
  }

  /**
   * The connection pool for {@code uri}'s scheme (HTTP/1.1 keep-alive; one for http, one for
   * https), made on its first request (or by {@link #prepare}): a no-op pull answered by a {@link
   * #probe} never builds one.
   */
  private HttpClient http(URI uri) throws IOException {
    FutureTask<HttpClient> task = clientTask(uri);
    task.run(); // builds it here unless another thread did or does
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while starting the HTTP client");
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot build the HTTP client", e.getCause());
    }
  }

  /** The client that serves {@code uri}'s scheme, built if need be (tests). */
  HttpClient clientFor(URI uri) throws IOException {
    return http(uri);
  }

  /**
   * One {@code HEAD} without credentials, redirects or retries, through the JDK's lighter {@link
   * HttpURLConnection} (a fresh JVM answers it in a third of the time the first {@link HttpClient}
   * request takes). Empty when it fails in any way: the caller then asks properly with {@link
   * #send}, which reports errors, answers challenges and retries.
   */
  Optional<Probe> probe(URI uri, Map<String, String> headers) {
    if (started(uri)) {
      return Optional.empty(); // the pool is (being) built: a request through it is cheaper
    }
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) uri.toURL().openConnection();
      c.setRequestMethod("HEAD");
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(millis(config.connectTimeout()));
      c.setReadTimeout(millis(config.requestTimeout()));
      headers.forEach(c::setRequestProperty);
      int status = c.getResponseCode();
      Map<String, List<String>> lower = new HashMap<>();
      c.getHeaderFields()
          .forEach((k, v) -> lower.put(k == null ? "" : k.toLowerCase(Locale.ROOT), v));
      return Optional.of(new Probe(status, lower)); // a HEAD's connection stays for the next
    } catch (IOException | RuntimeException e) {
      if (c != null) {
        c.disconnect();
      }
      return Optional.empty();
    }
  }

  private static int millis(java.time.Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  /** Sends one request (request timeout applied); the caller closes the answer. */
  Answer send(HttpRequest.Builder request) throws IOException {
    HttpRequest built = request.timeout(config.requestTimeout()).build();
    TimedBodyStream body = new TimedBodyStream(config.readTimeout(), built.uri().getAuthority());
    synchronized (this) {
      if (exiting) {
        throw new InterruptedIOException(
            built.method() + " " + built.uri() + ": not sent, the process is exiting");
      }
      waiting++;
    }
    try {
      HttpResponse<TimedBodyStream> response;
      try {
        response = http(built.uri()).send(built, info -> body);
      } finally {
        synchronized (this) {
          waiting--;
        }
      }
      if (logRequests) {
        log().debug("{} {} -> {}", built.method(), built.uri(), response.statusCode());
      }
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

  /**
   * At exit ({@link ClientShutdown}): unless a request waits for its answer, stops the selector
   * threads of the clients built so far and refuses requests from then on. A body being read when
   * the connection closes ends in an I/O error (or the read timeout), never a hang.
   */
  synchronized void stopIfIdle() {
    if (waiting > 0 || exiting) {
      return;
    }
    exiting = true;
    for (FutureTask<HttpClient> task : Arrays.asList(plain, tls)) {
      if (task != null && task.isDone()) {
        try {
          ClientShutdown.stop(task.get());
        } catch (ExecutionException | CancellationException e) {
          // never built: nothing to stop
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
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
      log().info("{}; retrying ({} of {})", failure.getMessage(), n + 1, policy.maxAttempts());
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
