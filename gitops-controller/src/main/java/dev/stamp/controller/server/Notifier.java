package dev.stamp.controller.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.config.NotificationConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the outside world how releases ended: a JSON POST to each configured URL that wants the
 * event, signed {@code X-Stamp-Signature: sha256=HEX} (HMAC-SHA256 of the body with the URL's
 * secret), named by {@code X-Stamp-Event: release.succeeded}. Sent off the sync's thread, retried
 * three times with backoff on a connection failure or a 5xx; never blocks a rollout; the secret and
 * the body are never logged.
 */
final class Notifier implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<NotificationConfig> targets;
  private final HttpClient http;
  private final ExecutorService sender;
  private final Duration backoff;

  Notifier(List<NotificationConfig> targets, Duration backoff) {
    this.targets = List.copyOf(targets);
    this.backoff = backoff;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.sender =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "stamp-notify");
              t.setDaemon(true);
              return t;
            });
  }

  /** Queues the event for every target that wants it; returns at once. */
  void released(NotificationConfig.Event event, Map<String, Object> release) {
    if (targets.isEmpty()) {
      return;
    }
    byte[] body;
    try {
      body =
          JSON.writeValueAsBytes(
              Map.of("event", "release." + event.configName(), "release", release));
    } catch (Exception e) {
      LOG.warn("notification {}: cannot render: {}", event.configName(), e.getMessage());
      return;
    }
    for (NotificationConfig target : targets) {
      if (target.wants(event)) {
        sender.submit(() -> send(target, event, body));
      }
    }
  }

  private void send(NotificationConfig target, NotificationConfig.Event event, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.url())
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("User-Agent", "stamp-controller")
            .header("X-Stamp-Event", "release." + event.configName())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (target.secretFile() != null) {
      try {
        request.header("X-Stamp-Signature", "sha256=" + hmac(target.secretFile().read(), body));
      } catch (ControllerException e) {
        LOG.warn(
            "notification to {}: secret unreadable, not sent: {}",
            redacted(target.url()),
            e.getMessage());
        return;
      }
    }
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        HttpResponse<Void> r = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() < 500) {
          if (r.statusCode() >= 300) {
            LOG.warn(
                "notification to {}: HTTP {} (not retried)",
                redacted(target.url()),
                r.statusCode());
          }
          return;
        }
        LOG.info(
            "notification to {}: HTTP {}, attempt {} of 3",
            redacted(target.url()),
            r.statusCode(),
            attempt);
      } catch (java.io.IOException e) {
        LOG.info(
            "notification to {}: {}, attempt {} of 3",
            redacted(target.url()),
            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
            attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Thread.sleep(backoff.toMillis() * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.warn("notification to {}: gave up after 3 attempts", redacted(target.url()));
  }

  /** The notification event a release's end is. */
  static NotificationConfig.Event event(dev.stamp.controller.store.ReleaseState state) {
    return switch (state) {
      case SUCCEEDED -> NotificationConfig.Event.SUCCEEDED;
      case PARTIAL -> NotificationConfig.Event.PARTIAL;
      case ROLLED_BACK -> NotificationConfig.Event.ROLLED_BACK;
      case DENIED -> NotificationConfig.Event.DENIED;
      default -> NotificationConfig.Event.FAILED;
    };
  }

  /** HMAC-SHA256 of {@code body} with {@code secret}, lower-case hex. */
  static String hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String redacted(URI url) {
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + url.getPath();
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.shutdownNow();
  }
}
