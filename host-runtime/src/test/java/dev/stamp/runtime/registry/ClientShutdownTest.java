package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the exit hook does: the selector thread of an idle transport's client ends, and the
 * transport refuses requests after it; a transport in the middle of a request is left alone.
 */
@Timeout(60)
class ClientShutdownTest {

  HttpServer server;
  URI uri;
  final CountDownLatch slowArrived = new CountDownLatch(1);
  final CountDownLatch slowRelease = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/v2/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.createContext(
        "/slow/",
        exchange -> {
          slowArrived.countDown();
          try {
            slowRelease.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/");
  }

  @AfterEach
  void stopServer() {
    slowRelease.countDown();
    server.stop(0);
  }

  static Thread selectorOf(HttpClient client) {
    String name = ClientShutdown.selectorThreadName(client);
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElse(null);
  }

  @Test
  void stoppingAUsedClientEndsItsSelectorThread() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<Void> answer =
        client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(ClientShutdown.selectorThreadName(client))
        .matches("HttpClient-[0-9]+-SelectorManager");

    Thread running = selectorOf(client);
    assertThat(running).isNotNull();

    Thread selector = ClientShutdown.stop(client);

    assertThat(selector).isSameAs(running);
    selector.join(30_000);
    assertThat(selector.isAlive()).isFalse();
  }

  @Test
  void anIdleTransportIsStoppedAtExitAndThenRefusesRequests() throws Exception {
    Transport transport = new Transport(RegistryConfig.DEFAULT);
    try (Transport.Answer answer = transport.send(HttpRequest.newBuilder(uri))) {
      assertThat(answer.status()).isEqualTo(200);
    }
    HttpClient client = transport.clientFor(uri);
    Thread selector = selectorOf(client);
    assertThat(selector).isNotNull();

    transport.stopIfIdle(); // what the exit hook (ClientShutdown.stopAll) does to each transport

    selector.join(30_000);
    assertThat(selector.isAlive()).isFalse();
    assertThatThrownBy(() -> transport.send(HttpRequest.newBuilder(uri)))
        .isInstanceOf(InterruptedIOException.class)
        .hasMessageContaining("not sent, the process is exiting");
  }

  @Test
  void aTransportWaitingForAnAnswerIsLeftToFinish() throws Exception {
    Transport transport = new Transport(RegistryConfig.DEFAULT);
    URI slow = uri.resolve("/slow/");
    CompletableFuture<Integer> status =
        CompletableFuture.supplyAsync(
            () -> {
              try (Transport.Answer answer = transport.send(HttpRequest.newBuilder(slow))) {
                return answer.status();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertThat(slowArrived.await(30, TimeUnit.SECONDS)).isTrue();

    transport.stopIfIdle(); // what the exit hook (ClientShutdown.stopAll) does to each transport

    slowRelease.countDown();
    assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    assertThat(selectorOf(transport.clientFor(uri)).isAlive()).isTrue();
    try (Transport.Answer again = transport.send(HttpRequest.newBuilder(uri))) {
      assertThat(again.status()).isEqualTo(200);
    }
  }
}
