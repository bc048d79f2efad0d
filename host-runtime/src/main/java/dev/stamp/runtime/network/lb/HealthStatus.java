package dev.stamp.runtime.network.lb;

/** Docker's health states: {@code starting} until the first success or enough failures. */
public enum HealthStatus {
  STARTING,
  HEALTHY,
  UNHEALTHY
}
