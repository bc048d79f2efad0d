package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import java.util.List;

/**
 * A replica of a service failed to run or to become healthy (FAILED: retrying can help, e.g. a
 * dependency that was not up yet). Carries which service and replica, the replica's container and
 * its last lines of output, so that a caller can report them without reading the container again.
 * {@link NotHealthyException} (a first run or a scale) and {@link ReplaceFailedException} (a
 * replace) say what became of that container.
 */
public abstract class ReplicaFailureException extends HostRuntimeException {

  private static final long serialVersionUID = 1L;

  private final String service;
  private final int replica;
  private final String container;
  private final List<String> logTail;

  ReplicaFailureException(
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

  /** The 1-based index of the replica that failed. */
  public int replica() {
    return replica;
  }

  /** The id of that replica's container, or null when it was never created. */
  public String container() {
    return container;
  }

  /** The container's last lines of output (stdout and stderr), oldest first. */
  public List<String> logTail() {
    return logTail;
  }
}
