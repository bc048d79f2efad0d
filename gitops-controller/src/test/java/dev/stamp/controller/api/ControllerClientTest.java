package dev.stamp.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ControllerClient} against a real {@link ControllerServer}: every operation round-trips the
 * wire records unchanged, server errors come back with their kind, message and retryability, and
 * the event stream is followed across a dropped connection without loss or repeats.
 */
class ControllerClientTest {

  @TempDir Path dir;
  ServerFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new ServerFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void everyOperationRoundTripsTheWireRecords() throws Exception {
    assertThat(f.client.healthy()).isTrue();
    assertThat(f.client.apps()).containsExactly(FakeOperations.shop());
    assertThat(f.client.app("shop")).isEqualTo(FakeOperations.shop());
    assertThat(f.client.history("shop", 1)).containsExactly(FakeOperations.release(2));
    assertThat(f.client.history("shop", 10))
        .containsExactly(FakeOperations.release(2), FakeOperations.release(1));
    PlanView plan = f.client.plan("shop", Optional.of("refs/heads/main"));
    assertThat(plan.builds()).extracting(PlanView.Build::action).containsExactly("reuse");
    assertThat(plan.changes()).extracting(PlanView.Change::reason).containsExactly("drift");
    assertThat(f.client.sync("shop", Optional.of("abc123"), true))
        .isEqualTo(new SyncAccepted("shop", 3, "abc123", "pending"));
    assertThat(f.client.rollback("shop", Optional.of(1L)))
        .isEqualTo(new SyncAccepted("shop", 4, null, "pending"));
    assertThat(f.client.sync("shop", Optional.empty(), false).release()).isEqualTo(3);
    assertThat(f.ops.calls)
        .containsExactly(
            "apps",
            "app shop",
            "history shop 1",
            "history shop 10",
            "plan shop refs/heads/main",
            "sync shop abc123 true",
            "rollback shop 1",
            "sync shop - false");
  }

  @Test
  void serverErrorsKeepTheirKindMessageAndRetryability() {
    for (ControllerException e :
        List.of(
            ControllerException.badInput("sync shop: revision zzz: not a commit"),
            ControllerException.conflict("sync shop: deny window nights (22:00-06:00)"),
            ControllerException.failed("sync shop: release store is read-only", null),
            ControllerException.unavailable("sync shop: git.example unreachable", null))) {
      f.ops.failure = e;
      assertThatThrownBy(() -> f.client.sync("shop", Optional.empty(), false))
          .isInstanceOfSatisfying(
              ControllerException.class,
              got -> {
                assertThat(got.kind()).isEqualTo(e.kind());
                assertThat(got.getMessage()).isEqualTo(e.getMessage());
                assertThat(got.retryable()).isEqualTo(e.retryable());
              });
    }
    f.ops.failure = null;
    assertThatThrownBy(() -> f.client.app("nope"))
        .isInstanceOfSatisfying(
            ControllerException.class,
            got -> assertThat(got.kind()).isEqualTo(StampException.Kind.NOT_FOUND))
        .hasMessage("app nope: not found");
  }

  @Test
  void aWrongTokenAndAnUnreachableControllerAreTold() throws Exception {
    ControllerClient wrong = new ControllerClient(f.server.uri(), "wrong-token-wrong-token");
    assertThatThrownBy(wrong::apps)
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.retryable()).isFalse();
            })
        .hasMessageContaining("bearer token");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ControllerClient nowhere =
        new ControllerClient(
            URI.create("http://127.0.0.1:" + port),
            ServerFixture.TOKEN,
            null,
            Duration.ofSeconds(5));
    assertThat(nowhere.healthy()).isFalse();
    assertThatThrownBy(nowhere::apps)
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.FAILED);
              assertThat(e.retryable()).isTrue();
            })
        .hasMessageContaining("127.0.0.1:" + port);
  }

  @Test
  void eventsAreFollowedLiveAndResumedAfterTheStreamDrops() throws Exception {
    f.ops.emit("fetched");
    f.ops.emit("planned");
    // the first stream ends after what is stored: the client reconnects with Last-Event-ID 2
    f.ops.streamsToEnd.set(1);
    List<EventView> seen = new CopyOnWriteArrayList<>();
    AtomicLong last = new AtomicLong(-1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                last.set(
                    f.client.events(
                        "shop",
                        0,
                        e -> {
                          seen.add(e);
                          return e.id() < 3;
                        }));
              } catch (Throwable t) {
                failed.set(t);
              }
            });
    reader.start();
    awaitCall("events shop 2");
    f.ops.emit("built");
    reader.join(20_000);
    assertThat(reader.isAlive()).isFalse();
    assertThat(failed.get()).isNull();
    assertThat(seen).extracting(EventView::id).containsExactly(1L, 2L, 3L);
    assertThat(seen).extracting(EventView::type).containsExactly("fetched", "planned", "built");
    assertThat(last.get()).isEqualTo(3);
    assertThat(f.ops.calls).containsSubsequence("events shop 0", "events shop 2");
    // starting after an id skips what came before it
    List<EventView> resumed = new CopyOnWriteArrayList<>();
    f.client.events("shop", 2, e -> !resumed.add(e));
    assertThat(resumed).extracting(EventView::id).containsExactly(3L);
  }

  @Test
  void anErrorInsideTheStreamIsThrownWithItsKind() throws Exception {
    f.ops.eventsFailure = ControllerException.conflict("events of shop: store migrating");
    assertThatThrownBy(() -> f.client.events("shop", 0, e -> true))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> assertThat(e.kind()).isEqualTo(StampException.Kind.CONFLICT))
        .hasMessage("events of shop: store migrating");
    assertThatThrownBy(() -> f.client.events("nope", 0, e -> true))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> assertThat(e.kind()).isEqualTo(StampException.Kind.NOT_FOUND));
  }

  @Test
  void aTokenFileIsReadStrippedAndAnEmptyOneRefused() throws Exception {
    Path file = dir.resolve("client-token");
    java.nio.file.Files.writeString(file, "  " + ServerFixture.TOKEN + "\n");
    assertThat(ControllerClient.tokenFrom(file)).isEqualTo(ServerFixture.TOKEN);
    java.nio.file.Files.writeString(file, "\n");
    assertThatThrownBy(() -> ControllerClient.tokenFrom(file))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT))
        .hasMessageContaining(file.toString());
    assertThatThrownBy(() -> ControllerClient.tokenFrom(dir.resolve("missing")))
        .hasMessageContaining("cannot read it");
  }

  private void awaitCall(String call) throws InterruptedException {
    for (int i = 0; i < 400 && !f.ops.calls.contains(call); i++) {
      Thread.sleep(50);
    }
    assertThat(f.ops.calls).contains(call);
  }
}
