package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The selector thread of a used client ends when stopped (what the exit hook does). */
@Timeout(60)
class ClientShutdownTest {

  HttpServer server;
  URI uri;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v2/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/");
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void stoppingAUsedClientEndsItsSelectorThread() throws Exception {
    HttpClient client = ClientShutdown.stopAtExit(HttpClient.newHttpClient());
    HttpResponse<Void> answer =
        client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(answer.statusCode()).isEqualTo(200);
    String name = ClientShutdown.selectorThreadName(client);
    assertThat(name).matches("HttpClient-[0-9]+-SelectorManager");

    Thread selector = ClientShutdown.stop(client);

    assertThat(selector).isNotNull();
    assertThat(selector.getName()).isEqualTo(name);
    selector.join(30_000);
    assertThat(selector.isAlive()).isFalse();
  }

  @Test
  void stopAllLeavesOtherClientsAlone() throws Exception {
    HttpClient mine = ClientShutdown.stopAtExit(HttpClient.newHttpClient());
    HttpClient other = HttpClient.newHttpClient();
    mine.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    other.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());

    ClientShutdown.stopAll();

    assertThat(
            other
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(200);
  }
}
