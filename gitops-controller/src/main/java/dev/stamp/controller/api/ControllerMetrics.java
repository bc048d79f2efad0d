package dev.stamp.controller.api;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * The controller's Prometheus metrics ({@code GET /metrics}, text format 0.0.4). The core calls the
 * public methods; the API counts its own requests, webhook deliveries and event streams. Label
 * values are few and known (results, providers, app names): never commits, refs or messages.
 */
public final class ControllerMetrics {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram reconcileSeconds =
      Histogram.builder()
          .name("stamp_controller_reconcile_duration_seconds")
          .help("One reconcile of an app (fetch, plan, build, roll out), by app and result")
          .unit(Unit.SECONDS)
          .labelNames("app", "result")
          .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900)
          .register(registry);
  private final Counter syncs =
      Counter.builder()
          .name("stamp_controller_syncs_total")
          .help("Syncs finished, by app and result (succeeded, failed, rolled_back, unchanged)")
          .labelNames("app", "result")
          .register(registry);
  private final Counter fetches =
      Counter.builder()
          .name("stamp_controller_git_fetches_total")
          .help("Git fetches, by repository and result (updated, unchanged, failed)")
          .labelNames("repository", "result")
          .register(registry);
  private final Counter builds =
      Counter.builder()
          .name("stamp_controller_builds_total")
          .help("Images built, by result (ok, failed)")
          .labelNames("result")
          .register(registry);
  private final Histogram buildSeconds =
      Histogram.builder()
          .name("stamp_controller_build_duration_seconds")
          .help("One image build, cache hits excluded")
          .unit(Unit.SECONDS)
          .classicUpperBounds(1, 5, 10, 30, 60, 120, 300, 600, 1800)
          .register(registry);
  private final Counter cacheHits =
      Counter.builder()
          .name("stamp_controller_build_cache_hits_total")
          .help("Images reused because an image with the same build key exists")
          .register(registry);
  private final Counter webhooks =
      Counter.builder()
          .name("stamp_controller_webhook_deliveries_total")
          .help(
              "Webhook deliveries, by provider and result (accepted, ignored, ping, unauthorized,"
                  + " bad_request, too_large)")
          .labelNames("provider", "result")
          .register(registry);
  private final Counter requests =
      Counter.builder()
          .name("stamp_controller_http_requests_total")
          .help("API requests answered, by status code")
          .labelNames("code")
          .register(registry);
  private final Gauge streams =
      Gauge.builder()
          .name("stamp_controller_event_streams")
          .help("Event streams open now")
          .register(registry);

  /** One reconcile of {@code app} ended with {@code result} after {@code took}. */
  public void reconciled(String app, String result, Duration took) {
    reconcileSeconds.labelValues(app, result).observe(took.toNanos() / 1e9);
  }

  /** A sync of {@code app} finished with {@code result}. */
  public void synced(String app, String result) {
    syncs.labelValues(app, result).inc();
  }

  /** A fetch of {@code repository} ended with {@code result}. */
  public void fetched(String repository, String result) {
    fetches.labelValues(repository, result).inc();
  }

  /** An image build ended with {@code result} after {@code took}. */
  public void built(String result, Duration took) {
    builds.labelValues(result).inc();
    buildSeconds.observe(took.toNanos() / 1e9);
  }

  /** An image was reused from the build cache instead of being built. */
  public void buildCacheHit() {
    cacheHits.inc();
  }

  void webhook(String provider, String result) {
    webhooks.labelValues(provider, result).inc();
  }

  void request(int status) {
    requests.labelValues(Integer.toString(status)).inc();
  }

  void streamOpened() {
    streams.inc();
  }

  void streamClosed() {
    streams.dec();
  }

  void write(OutputStream out) throws IOException {
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
  }
}
