package dev.stamp.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.ReleaseState;
import dev.stamp.testkit.GitOpsRepo;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Release notifications end to end, with a real agent, the real builder and real HTTP receivers on
 * 127.0.0.1: a succeeded and a failed release each reach the receiver as a POST whose {@code
 * X-Stamp-Signature} is the HMAC-SHA256 of the body with the configured secret, the body naming the
 * app, release, commit and result. A receiver that hangs and then answers 500 is retried and holds
 * up no sync; one that is not listening is only logged.
 */
@RequiresRoot
class NotificationsIT {

  static final String SECRET = "notification-secret-for-the-test";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  @AutoClose ControllerHarness h;

  /** One POST as the receiver saw it. */
  record Received(String event, String signature, byte[] body) {}

  /**
   * An HTTP receiver on 127.0.0.1 keeping every POST; the first {@code failFirst} requests wait for
   * {@link #release} (at most 60 s) and are answered 500, the rest 200.
   */
  static final class Receiver implements AutoCloseable {
    final Server server = new Server();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch firstArrived = new CountDownLatch(1);
    final AtomicInteger failures;

    Receiver(int failFirst) throws Exception {
      this.failures = new AtomicInteger(failFirst);
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      server.setHandler(
          new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback)
                throws Exception {
              byte[] body =
                  Content.Source.asString(request, StandardCharsets.UTF_8)
                      .getBytes(StandardCharsets.UTF_8);
              received.add(
                  new Received(
                      request.getHeaders().get("X-Stamp-Event"),
                      request.getHeaders().get("X-Stamp-Signature"),
                      body));
              firstArrived.countDown();
              int status = 200;
              if (failures.getAndDecrement() > 0) {
                release.await(60, TimeUnit.SECONDS);
                status = 500;
              }
              response.setStatus(status);
              response.write(true, ByteBuffer.allocate(0), callback);
              return true;
            }
          });
      server.start();
    }

    @Override
    public void close() throws Exception {
      server.stop();
    }

    String url(String path) {
      return "http://127.0.0.1:"
          + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
          + path;
    }
  }

  static String hmac(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  @Test
  void aSucceededAndAFailedReleaseAreSignedPostsAndABadReceiverBlocksNothing() throws Exception {
    h = ControllerHarness.prepare(tmp).host("a", Map.of("role", "web"));
    Receiver good = h.closing(new Receiver(0));
    Receiver flaky = new Receiver(1);
    h.closing(flaky.release::countDown); // before its stop: a request it holds would hold that up
    h.closing(flaky);
    Path secret = h.secret("notify-secret", SECRET);
    // the flaky one first: while it hangs, the sender can get to nothing else
    String notifications =
        "notifications:\n"
            + "  - {url: '"
            + flaky.url("/flaky")
            + "', events: [succeeded]}\n"
            + "  - {url: 'http://127.0.0.1:"
            + TestNetworks.freePort()
            + "/nobody', events: [succeeded]}\n"
            + "  - {url: '"
            + good.url("/hook")
            + "', secretFile: "
            + secret
            + ", events: [succeeded, failed]}\n";
    String v1 = h.pushV1(ControllerHarness.webApp("", ""));
    Controller c = h.start("", notifications, Clock.systemUTC());
    c.syncAllNow("manual");
    h.assertState("shop", AppState.SYNCED);
    Release ok = c.store().lastGood("shop").orElseThrow();

    // the flaky receiver holds its first request; the next sync runs to its end all the same
    assertThat(flaky.firstArrived.await(60, TimeUnit.SECONDS)).isTrue();
    String broken =
        h.push(
            "web: copy a file that is not there",
            "shop/web/Dockerfile",
            "FROM base:1\nCOPY missing.txt /srv/\n");
    c.syncAllNow("manual");
    Release failed = c.store().history("shop", 1).get(0);
    assertThat(failed.commit()).isEqualTo(broken);
    assertThat(failed.state()).isEqualTo(ReleaseState.FAILED);
    flaky.release.countDown();

    // the flaky receiver: answered 500 (or timed out), tried again with the same body, then 200
    GitOpsRepo.await(() -> flaky.received.size() == 2, "the flaky receiver's retry");
    assertThat(flaky.received.get(1).body()).isEqualTo(flaky.received.get(0).body());
    assertThat(flaky.received.get(0).signature()).isNull(); // no secret configured for it

    // the good receiver: both releases, signed, in order
    GitOpsRepo.await(() -> good.received.size() == 2, "both notifications at the receiver");
    Received first = good.received.get(0);
    assertThat(first.event()).isEqualTo("release.succeeded");
    assertThat(first.signature()).isEqualTo(hmac(SECRET, first.body()));
    JsonNode body = JSON.readTree(first.body());
    assertThat(body.path("event").asText()).isEqualTo("release.succeeded");
    assertThat(body.path("release").path("app").asText()).isEqualTo("shop");
    assertThat(body.path("release").path("id").asLong()).isEqualTo(ok.id());
    assertThat(body.path("release").path("commit").asText()).isEqualTo(v1);
    assertThat(body.path("release").path("state").asText()).isEqualTo("succeeded");

    Received second = good.received.get(1);
    assertThat(second.event()).isEqualTo("release.failed");
    assertThat(second.signature()).isEqualTo(hmac(SECRET, second.body()));
    assertThat(second.signature()).isNotEqualTo(hmac("another secret", second.body()));
    JsonNode failedBody = JSON.readTree(second.body());
    assertThat(failedBody.path("release").path("id").asLong()).isEqualTo(failed.id());
    assertThat(failedBody.path("release").path("commit").asText()).isEqualTo(broken);
    assertThat(failedBody.path("release").path("state").asText()).isEqualTo("failed");
    assertThat(failedBody.path("release").path("message").asText()).contains("missing.txt");
    // the failed release left the good one running
    assertThat(h.images("a", "shop.web"))
        .singleElement()
        .asString()
        .endsWith(ok.digests().get("web"));
  }
}
