package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads an ADD's http(s) URL into a temp file, hashing it as it streams. A connect timeout, a
 * timeout for the response headers, and a stall timeout for the body (no byte for that long aborts
 * the read); 5xx answers and I/O errors are retried a few times, 4xx never. Redirects are followed
 * (never from https to http).
 */
final class UrlDownloader {

  /** A finished download: the temp file and the sha256 of its content. */
  record Download(Path file, Digest digest) {}

  static final int ATTEMPTS = 3;

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "stamp-add-url-watchdog");
            t.setDaemon(true);
            return t;
          });

  private static volatile UrlDownloader shared;

  private final HttpClient client;
  private final Duration headerTimeout;
  private final Duration stallTimeout;
  private final Duration backoff;

  UrlDownloader(Duration connectTimeout, Duration readTimeout, Duration backoff) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    this.headerTimeout = readTimeout;
    this.stallTimeout = readTimeout;
    this.backoff = backoff;
  }

  /** The builder's downloader: 30 s to connect, 60 s without a byte, 0.5 s, 1 s between tries. */
  static UrlDownloader shared() {
    if (shared == null) {
      synchronized (UrlDownloader.class) {
        if (shared == null) {
          shared =
              new UrlDownloader(
                  Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMillis(500));
        }
      }
    }
    return shared;
  }

  /**
   * Downloads {@code uri} into a new file under {@code dir}. Errors are BuildExceptions whose
   * message is the detail only (the caller prefixes the step): NOT_FOUND for 404/410, FAILED
   * otherwise.
   */
  Download fetch(URI uri, Path dir) throws BuildException {
    IOException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (attempt > 1) {
        pause(attempt - 1);
      }
      try {
        return once(uri, dir);
      } catch (IOException e) { // 5xx (ServerError) included; 4xx is a BuildException
        last = e;
      }
    }
    throw BuildException.failed(
        "download failed after " + ATTEMPTS + " attempts: " + describe(last), last);
  }

  private Download once(URI uri, Path dir) throws IOException, BuildException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(headerTimeout).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BuildException.failed("download interrupted", e);
    }
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status >= 500) {
        throw new ServerError("GET returned HTTP " + status);
      }
      if (status < 200 || status > 299) {
        String detail = "GET returned HTTP " + status;
        throw status == 404 || status == 410
            ? BuildException.notFound(detail)
            : new BuildException(StampException.Kind.FAILED, detail);
      }
      Files.createDirectories(dir);
      Path file = Files.createTempFile(dir, "add-url-", ".download");
      try {
        return new Download(file, copy(body, file));
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(file);
        throw e;
      }
    }
  }

  /**
   * Streams {@code body} into {@code file}; a stall longer than the timeout interrupts the read.
   */
  private Digest copy(InputStream body, Path file) throws IOException {
    MessageDigest md = Digest.sha256();
    AtomicLong progress = new AtomicLong();
    Thread reader = Thread.currentThread();
    long[] seen = {-1};
    long periodMs = Math.max(1, stallTimeout.toMillis());
    ScheduledFuture<?> guard =
        WATCHDOG.scheduleAtFixedRate(
            () -> {
              long now = progress.get();
              if (now == seen[0]) {
                reader.interrupt();
              }
              seen[0] = now;
            },
            periodMs,
            periodMs,
            TimeUnit.MILLISECONDS);
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = body.read(buf)) >= 0) {
        md.update(buf, 0, n);
        out.write(buf, 0, n);
        progress.addAndGet(n + 1L);
      }
    } catch (IOException e) {
      if (Thread.interrupted()) {
        throw new IOException("no data for " + stallTimeout.toSeconds() + " s", e);
      }
      throw e;
    } finally {
      guard.cancel(false);
      Thread.interrupted(); // a late watchdog tick must not leak into the build
    }
    return Digest.of(md);
  }

  private void pause(int retry) throws BuildException {
    try {
      Thread.sleep(backoff.toMillis() * retry);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BuildException.failed("download interrupted", e);
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** A 5xx answer: retried like an I/O error. */
  private static final class ServerError extends IOException {
    private static final long serialVersionUID = 1L;

    ServerError(String message) {
      super(message);
    }
  }
}
