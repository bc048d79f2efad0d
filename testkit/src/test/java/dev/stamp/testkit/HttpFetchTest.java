package dev.stamp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpFetchTest {

  HttpServer server;
  String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          boolean found = exchange.getRequestURI().getPath().equals("/ok");
          byte[] body = (found ? "hello\n" : "nope\n").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(found ? 200 : 404, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void aTwoHundredIsItsBodyAndAnythingElseNull() {
    assertThat(HttpFetch.get(base + "/ok")).isEqualTo("hello\n");
    assertThat(HttpFetch.get(base + "/missing")).isNull();
  }

  @Test
  void onANewConnectionAnythingButTwoHundredIsAnIoExceptionShowingTheAnswer() throws Exception {
    int port = server.getAddress().getPort();
    assertThat(HttpFetch.getOnNewConnection("127.0.0.1", port, "/ok")).isEqualTo("hello\n");
    assertThatThrownBy(() -> HttpFetch.getOnNewConnection("127.0.0.1", port, "/missing"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(
            "not a 200 answer from 127.0.0.1:" + port + "/missing: HTTP/1.1 404")
        .hasMessageEndingWith("nope\n");
  }

  @Test
  void retriesEndAtTheirBound() throws Exception {
    int closed = TestNetworks.freePort();
    long start = System.nanoTime();
    assertThat(HttpFetch.getWhenUp("http://127.0.0.1:" + closed + "/", Duration.ofMillis(300)))
        .isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
  }
}
