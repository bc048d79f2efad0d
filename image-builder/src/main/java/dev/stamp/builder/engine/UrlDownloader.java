package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads an ADD's http(s) URL into a temp file, hashing it as it streams. A connect timeout, a
 * timeout for the response headers, and a stall timeout for the body (no byte for that long cancels
 * the read); 5xx answers and I/O errors are retried a few times, 4xx never. Redirects are followed
 * (never from https to http).
 */
final class UrlDownloader {

  /** A finished download: the temp file and the sha256 of its content. */
  record Download(Path file, Digest digest) {}

  static final int ATTEMPTS = 3;

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
   * otherwise; {@link StampException#retryable()} after 5xx, 429 and I/O failures.
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
    throw new BuildException(
        StampException.Kind.FAILED,
        "download failed after " + ATTEMPTS + " attempts: " + describe(last),
        last,
        true); // the server or the network may recover
  }

  private Download once(URI uri, Path dir) throws IOException, BuildException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(headerTimeout).GET().build();
    Files.createDirectories(dir);
    Path file = Files.createTempFile(dir, "add-url-", ".download");
    boolean done = false;
    try {
      FileSink sink = new FileSink(file);
      HttpResponse<Digest> response =
          await(
              client.sendAsync(
                  request,
                  info ->
                      info.statusCode() / 100 == 2
                          ? HttpResponse.BodySubscribers.fromSubscriber(sink, FileSink::digest)
                          : HttpResponse.BodySubscribers.replacing(null)),
              sink);
      checkStatus(response.statusCode());
      done = true;
      return new Download(file, response.body());
    } finally {
      if (!done) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static void checkStatus(int status) throws IOException, BuildException {
    if (status >= 500) {
      throw new ServerError("GET returned HTTP " + status);
    }
    if (status / 100 != 2) {
      String detail = "GET returned HTTP " + status;
      throw status == 404 || status == 410
          ? BuildException.notFound(detail)
          : new BuildException(StampException.Kind.FAILED, detail, null, status == 429);
    }
  }

  /**
   * Waits for the whole response; when no byte arrived for the stall timeout, cancels the body
   * (which closes the connection) and fails.
   */
  private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> pending, FileSink sink)
      throws IOException, BuildException {
    long seen = -1;
    while (true) {
      try {
        return pending.get(stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        long now = sink.progress();
        if (now == seen) {
          sink.abort();
          pending.cancel(true);
          throw new IOException("no data for " + stallTimeout.toMillis() + " ms");
        }
        seen = now;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UncheckedIOException u) {
          throw u.getCause();
        }
        if (cause instanceof IOException io) {
          throw io;
        }
        throw new IOException(cause);
      } catch (InterruptedException e) {
        sink.abort();
        pending.cancel(true);
        Thread.currentThread().interrupt();
        throw BuildException.failed("download interrupted", e);
      }
    }
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

  /** Writes the body into a file while hashing it; counts bytes so a stall can be seen. */
  private static final class FileSink implements Flow.Subscriber<List<ByteBuffer>> {
    private final Path file;
    private final MessageDigest md = Digest.sha256();
    private final AtomicLong progress = new AtomicLong();
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private FileChannel channel;
    private IOException failure;

    FileSink(Path file) {
      this.file = file;
    }

    long progress() {
      return progress.get();
    }

    void abort() {
      subscription.thenAccept(Flow.Subscription::cancel);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      try {
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
      } catch (IOException e) {
        failure = e;
        s.cancel();
        return;
      }
      subscription.complete(s);
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      try {
        for (ByteBuffer b : buffers) {
          progress.addAndGet(b.remaining() + 1L);
          md.update(b.duplicate());
          while (b.hasRemaining()) {
            channel.write(b);
          }
        }
      } catch (IOException e) {
        failure = e;
        abort();
      }
    }

    @Override
    public void onError(Throwable t) {
      closeQuietly();
    }

    @Override
    public void onComplete() {
      try {
        channel.close();
      } catch (IOException e) {
        failure = e;
      }
    }

    /** The content digest, once the body completed; a write failure surfaces here. */
    Digest digest() {
      if (failure != null) {
        throw new UncheckedIOException(failure);
      }
      return Digest.of(md);
    }

    private void closeQuietly() {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException e) {
        // the file is deleted by the caller
      }
    }
  }

  /** A 5xx answer: retried like an I/O error. */
  private static final class ServerError extends IOException {
    private static final long serialVersionUID = 1L;

    ServerError(String message) {
      super(message);
    }
  }
}
