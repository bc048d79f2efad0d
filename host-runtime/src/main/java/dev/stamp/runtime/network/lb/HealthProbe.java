package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.health.HealthCheck;
import java.time.Duration;

/**
 * How one {@link HealthCheck} is carried out against a backend. {@link TcpProbe} and {@link
 * HttpProbe} run from the host's network namespace against the backend's address ({@link
 * #fromHost}); a {@code CMD}/{@code CMD-SHELL} check runs inside the container, through a probe
 * that maps the backend to its container (the service layer's). A probe must return within {@code
 * timeout}, reporting a timeout as a failure, and never throw.
 */
public interface HealthProbe {

  /**
   * The host-side probe of an {@code HTTP} or {@code TCP} check (to the port the check names, else
   * the backend's); null for {@code NONE}. BAD_INPUT for a check that runs inside the container or
   * has no test.
   */
  static HealthProbe fromHost(HealthCheck check) throws HostRuntimeException {
    check.check("health check");
    return switch (check.kind()) {
      case HTTP -> onPort(HttpProbe.of(check.httpPath()), check);
      case TCP -> onPort(new TcpProbe(), check);
      case NONE -> null;
      case CMD, CMD_SHELL ->
          throw HostRuntimeException.badInput(
              "health check "
                  + check.describe()
                  + ": runs inside the container; give a probe that can run it");
      case INHERIT ->
          throw HostRuntimeException.badInput("health check: no test (NONE, CMD, HTTP, TCP…)");
    };
  }

  ProbeResult probe(Backend backend, Duration timeout);

  /** {@code probe}, sent to the port {@code check} names (if it names one) on each backend. */
  private static HealthProbe onPort(HealthProbe probe, HealthCheck check) {
    if (check.port().isEmpty()) {
      return probe;
    }
    int port = check.port().getAsInt();
    return new HealthProbe() {
      @Override
      public ProbeResult probe(Backend backend, Duration timeout) {
        return probe.probe(backend.withPort(port), timeout);
      }

      @Override
      public String describe() {
        return probe.describe() + " port " + port;
      }
    };
  }

  /** {@code tcp}, {@code http GET /health}: for messages. */
  String describe();
}
