package dev.stamp.runtime.service;

import dev.stamp.runtime.network.lb.HealthStatus;
import java.util.Map;

/**
 * A service as {@code stamp service ls} shows it: its record, whether its monitor runs, and each
 * replica's health as the monitor last wrote it ({@code ADDRESS:PORT} to status; empty without a
 * monitor).
 */
public record ServiceInfo(
    ServiceRecord record, boolean monitorRunning, Map<String, HealthStatus> health) {

  public ServiceInfo {
    health = Map.copyOf(health);
  }

  /** Replicas the monitor last saw healthy. */
  public long healthy() {
    return health.values().stream().filter(s -> s == HealthStatus.HEALTHY).count();
  }
}
