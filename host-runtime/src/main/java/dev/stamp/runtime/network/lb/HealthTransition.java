package dev.stamp.runtime.network.lb;

/**
 * A backend of {@code service} changed health status, because of {@code cause}. Delivered after the
 * service's backends were updated accordingly: once a listener hears UNHEALTHY, new connections no
 * longer reach the backend; once it hears HEALTHY for a member, they do.
 */
public record HealthTransition(
    String service, Backend backend, HealthStatus from, HealthStatus to, ProbeResult cause) {}
