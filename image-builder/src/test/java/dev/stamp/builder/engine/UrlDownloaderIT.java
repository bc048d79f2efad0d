package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a server on 127.0.0.1 that sends half a body and then goes silent. */
class UrlDownloaderIT {

  @TempDir Path tmp;

  private HttpServer server;
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/stall",
        ex -> {
          requests.incrementAndGet();
          ex.sendResponseHeaders(200, 1000);
          OutputStream out = ex.getResponseBody();
          out.write(new byte[10]);
          out.flush();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    server.createContext(
        "/status/",
        ex -> {
          requests.incrementAndGet();
          String path = ex.getRequestURI().getPath();
          ex.sendResponseHeaders(Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)), -1);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  @Test
  void aStalledBodyIsAbortedRetriedAndReportedAndLeavesNoFile() throws Exception {
    UrlDownloader downloader =
        new UrlDownloader(Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofMillis(10));
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/stall");
    Path dir = tmp.resolve("downloads");
    assertThatThrownBy(() -> downloader.fetch(uri, dir))
        .isInstanceOf(BuildException.class)
        .hasMessageContaining("download failed after " + UrlDownloader.ATTEMPTS + " attempts")
        .hasMessageContaining("no data for");
    assertThat(requests.get()).isEqualTo(UrlDownloader.ATTEMPTS);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void failuresSayWhetherTryingAgainLaterMayHelp() throws Exception {
    UrlDownloader downloader =
        new UrlDownloader(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(1));
    String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/status/";
    Path dir = tmp.resolve("downloads");
    assertThatThrownBy(() -> downloader.fetch(URI.create(base + "503"), dir))
        .isInstanceOf(BuildException.class)
        .satisfies(
            e -> {
              assertThat(((BuildException) e).kind()).isEqualTo(StampException.Kind.FAILED);
              assertThat(((BuildException) e).retryable()).isTrue();
            });
    assertThatThrownBy(() -> downloader.fetch(URI.create(base + "429"), dir))
        .satisfies(e -> assertThat(((BuildException) e).retryable()).isTrue());
    assertThatThrownBy(() -> downloader.fetch(URI.create(base + "404"), dir))
        .satisfies(
            e -> {
              assertThat(((BuildException) e).kind()).isEqualTo(StampException.Kind.NOT_FOUND);
              assertThat(((BuildException) e).retryable()).isFalse();
            });
    assertThatThrownBy(() -> downloader.fetch(URI.create(base + "403"), dir))
        .satisfies(
            e -> {
              assertThat(((BuildException) e).kind()).isEqualTo(StampException.Kind.FAILED);
              assertThat(((BuildException) e).retryable()).isFalse();
            });
  }
}
