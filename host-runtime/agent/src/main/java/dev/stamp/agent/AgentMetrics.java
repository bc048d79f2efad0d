package dev.stamp.agent;

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
 * The agent's Prometheus metrics ({@code GET /metrics}, text format 0.0.4): replaces by result,
 * replace duration, health probe failures, containers by state, API requests by status.
 */
public final class AgentMetrics {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter replaces =
      Counter.builder()
          .name("stamp_agent_replaces_total")
          .help("Replaces of a service's containers, by result (ok, failed, rolled_back)")
          .labelNames("result")
          .register(registry);
  private final Histogram replaceSeconds =
      Histogram.builder()
          .name("stamp_agent_replace_duration_seconds")
          .help("From the desired change to the old containers stopped")
          .unit(Unit.SECONDS)
          .classicUpperBounds(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)
          .register(registry);
  private final Counter probeFailures =
      Counter.builder()
          .name("stamp_agent_health_probe_failures_total")
          .help("Health probes that failed, by service")
          .labelNames("service")
          .register(registry);
  private final Gauge containers =
      Gauge.builder()
          .name("stamp_agent_containers")
          .help("Containers of the agent's services, by state")
          .labelNames("state")
          .register(registry);
  private final Counter requests =
      Counter.builder()
          .name("stamp_agent_http_requests_total")
          .help("API requests answered, by status code")
          .labelNames("code")
          .register(registry);

  public void replaced(String result, Duration took) {
    replaces.labelValues(result).inc();
    replaceSeconds.observe(took.toNanos() / 1e9);
  }

  public void probeFailed(String service) {
    probeFailures.labelValues(service).inc();
  }

  public void containers(String state, int count) {
    containers.labelValues(state).set(count);
  }

  void request(int status) {
    requests.labelValues(Integer.toString(status)).inc();
  }

  void write(OutputStream out) throws IOException {
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
  }
}
