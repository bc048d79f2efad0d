package dev.stamp.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.controller.ControllerException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/apps/{app}/events} over real HTTP: stored events replayed after an id, live
 * ones following, {@code Last-Event-ID} resuming, heartbeats, a bounded buffer per reader, a limit
 * on streams, a failure inside the stream.
 */
class EventStreamTest {

  @TempDir Path dir;

  static HttpRequest.Builder events(ServerFixture f, String query) {
    return HttpRequest.newBuilder(f.uri("/api/v1/apps/shop/events" + query))
        .header("Authorization", ServerFixture.AUTH)
        .header("Accept", "text/event-stream");
  }

  static long id(String data) throws Exception {
    return Bodies.JSON.readTree(data).get("id").asLong();
  }

  @Test
  void storedEventsAfterAnIdAreReplayedThenLiveOnesFollow() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.ops.emit("fetched");
      f.ops.emit("planned");
      f.ops.emit("built");
      try (SseReader r = new SseReader(f.http, events(f, "?after=1").build())) {
        assertThat(r.response.statusCode()).isEqualTo(200);
        assertThat(r.response.headers().firstValue("Content-Type").orElseThrow())
            .startsWith("text/event-stream");
        assertThat(r.response.headers().firstValue("Cache-Control")).hasValue("no-cache");
        List<String> frame = r.until(l -> l.startsWith("data: "));
        assertThat(frame).containsSequence("id: 2", "event: planned");
        List<String> data = r.dataUntil(3);
        assertThat(data).hasSize(1);
        f.ops.emit("host_replaced");
        List<String> live = r.dataUntil(4);
        JsonNode e = Bodies.JSON.readTree(live.get(live.size() - 1));
        assertThat(e.get("type").asText()).isEqualTo("host_replaced");
        // a message with a line break still travels as one data line
        assertThat(e.get("message").asText()).isEqualTo("host_replaced happened\nover two lines");
        assertThat(r.seen)
            .filteredOn(l -> l.startsWith("id: "))
            .containsExactly("id: 2", "id: 3", "id: 4");
      }
      assertThat(f.ops.calls).contains("events shop 1");
    }
  }

  @Test
  void lastEventIdResumesAndWinsOverTheQuery() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      for (int i = 0; i < 5; i++) {
        f.ops.emit("built");
      }
      try (SseReader r =
          new SseReader(f.http, events(f, "?after=0").header("Last-Event-ID", "3").build())) {
        List<String> data = r.dataUntil(5);
        assertThat(data).hasSize(2);
        assertThat(id(data.get(0))).isEqualTo(4);
      }
      assertThat(f.ops.calls).contains("events shop 3");
      HttpResponse<String> bad =
          f.http.send(
              events(f, "").header("Last-Event-ID", "x1").build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void aQuietStreamSendsHeartbeatComments() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, c -> c.withHeartbeat(Duration.ofMillis(50)))) {
      try (SseReader r = new SseReader(f.http, events(f, "").build())) {
        assertThat(r.until(l -> l.equals(": heartbeat"))).last().isEqualTo(": heartbeat");
        f.ops.emit("drift");
        assertThat(r.dataUntil(1)).hasSize(1);
      }
    }
  }

  @Test
  void anUnknownAppIs404BeforeTheStreamStarts() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      HttpResponse<String> res =
          f.http.send(
              HttpRequest.newBuilder(f.uri("/api/v1/apps/nope/events"))
                  .header("Authorization", ServerFixture.AUTH)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(404);
      assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
    }
  }

  @Test
  void streamsPastTheLimitAre503AndRetryable() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, c -> c.withMaxStreams(1))) {
      f.ops.emit("built");
      try (SseReader first = new SseReader(f.http, events(f, "").build())) {
        first.dataUntil(1);
        HttpResponse<String> second =
            f.http.send(events(f, "").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).isEqualTo(503);
        JsonNode err = Bodies.JSON.readTree(second.body()).get("error");
        assertThat(err.get("code").asText()).isEqualTo("unavailable");
        assertThat(err.get("retryable").asBoolean()).isTrue();
      }
    }
  }

  @Test
  void aFailureInsideTheStreamIsSentAsAnErrorEventAndEndsIt() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.ops.emit("built");
      f.ops.eventsFailure = ControllerException.unavailable("events of shop: store closed", null);
      try (SseReader r = new SseReader(f.http, events(f, "").build())) {
        List<String> lines = r.until(l -> l.equals("<end>"));
        assertThat(lines).contains("event: error");
        String data =
            lines.stream().filter(l -> l.startsWith("data: {\"error\"")).findFirst().orElseThrow();
        JsonNode err = Bodies.JSON.readTree(data.substring(6)).get("error");
        assertThat(err.get("message").asText()).isEqualTo("events of shop: store closed");
        assertThat(err.get("retryable").asBoolean()).isTrue();
      }
    }
  }

  @Test
  void aReaderThatDoesNotReadIsCutOffAndTheProducerIsNeverBlocked() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, c -> c.withEventBuffer(8))) {
      // far more than socket buffers hold: the writer blocks, the queue fills, the sink refuses
      f.ops.flood = 1_000_000;
      try (java.net.Socket s =
          new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), f.server.port())) {
        s.getOutputStream()
            .write(
                FakeOperations.bytes(
                    "GET /api/v1/apps/shop/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: "
                        + ServerFixture.AUTH
                        + "\r\nAccept: text/event-stream\r\n\r\n"));
        s.getOutputStream().flush();
        // the producer returns on its own although nobody reads: it was refused, not blocked
        for (int i = 0; i < 400 && f.ops.refusedAt.get() == 0; i++) {
          Thread.sleep(50);
        }
        long refused = f.ops.refusedAt.get();
        assertThat(refused).isBetween(9L, 1_000_000L);
        // the reader, reading at last, gets every event before the refused one, in order, and
        // is told to resume
        java.io.BufferedReader in =
            new java.io.BufferedReader(
                new java.io.InputStreamReader(
                    s.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        long expected = 1;
        String line;
        while ((line = in.readLine()) != null && !line.contains("reader too slow")) {
          if (line.startsWith("id: ")) {
            assertThat(Long.parseLong(line.substring(4))).isEqualTo(expected++);
          }
        }
        assertThat(line).isNotNull();
        assertThat(expected).isEqualTo(refused);
      }
    }
  }

  @Test
  void aReaderThatFallsBehindItsBufferIsCutOffWithoutHoldingUpTheProducer() throws Exception {
    EventStream.Connection c = new EventStream.Connection(3);
    for (int i = 1; i <= 3; i++) {
      assertThat(c.offer(new EventView(i, "shop", null, "built", "t", null, null))).isTrue();
    }
    assertThat(c.closed()).isFalse();
    // the fourth does not fit: the sink closes at once instead of blocking the producer
    assertThat(c.offer(new EventView(4, "shop", null, "built", "t", null, null))).isFalse();
    assertThat(c.closed()).isTrue();
    assertThat(c.offer(new EventView(5, "shop", null, "built", "t", null, null))).isFalse();
    // the writer still sends what was queued, in order, then ends the stream for a resume
    for (long id = 1; id <= 3; id++) {
      long want = id;
      assertThat(c.next(0))
          .isInstanceOfSatisfying(EventView.class, e -> assertThat(e.id()).isEqualTo(want));
    }
    assertThat(c.next(0))
        .isInstanceOfSatisfying(EventStream.End.class, end -> assertThat(end.overflow()).isTrue());
    assertThat(c.next(0)).isNull();
  }
}
