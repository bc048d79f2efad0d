package dev.stamp.runtime.network.lb;

import java.time.Duration;

/**
 * One kind of health check of a backend. {@link TcpProbe} and {@link HttpProbe} run from the host's
 * network namespace against the backend's address; a probe that runs a command inside the container
 * (a Compose {@code CMD}/{@code CMD-SHELL} test) implements this too, once the runtime can exec
 * into containers, mapping the backend to its container. A probe must return within {@code
 * timeout}, reporting a timeout as a failure, and never throw.
 */
public interface HealthProbe {

  ProbeResult probe(Backend backend, Duration timeout);

  /** {@code tcp}, {@code http GET /health}: for messages. */
  String describe();
}
