package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import java.util.List;

/**
 * {@link Services#awaitHealthy} gave up: a replica stopped running, was called unhealthy by the
 * service's health monitor, or was not healthy in time. FAILED: retrying can help (a dependency
 * that was not up yet). Carries which replica, its container (still there: what to do with it is
 * the caller's choice) and its last lines of output.
 */
public final class NotHealthyException extends HostRuntimeException {

  private static final long serialVersionUID = 1L;

  private final String service;
  private final int replica;
  private final String container;
  private final List<String> logTail;

  NotHealthyException(
      String message, String service, int replica, String container, List<String> logTail) {
    super(Kind.FAILED, message);
    this.service = service;
    this.replica = replica;
    this.container = container;
    this.logTail = List.copyOf(logTail);
  }

  public String service() {
    return service;
  }

  /** The 1-based index of the replica that was not healthy. */
  public int replica() {
    return replica;
  }

  /** The id of that replica's container. */
  public String container() {
    return container;
  }

  /** Its last lines of output (stdout and stderr), oldest first. */
  public List<String> logTail() {
    return logTail;
  }
}
