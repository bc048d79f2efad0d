package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import java.util.List;

/**
 * A replace stopped because a new replica failed to start or to become healthy: the new container
 * was removed, and (start-first) the old one kept serving throughout. Replicas replaced before this
 * one stay replaced. Carries the new container's last lines of output.
 */
public final class ReplaceFailedException extends HostRuntimeException {

  private static final long serialVersionUID = 1L;

  private final String service;
  private final int replica;
  private final String newContainer;
  private final List<String> logTail;

  ReplaceFailedException(
      String message, String service, int replica, String newContainer, List<String> logTail) {
    super(Kind.FAILED, message);
    this.service = service;
    this.replica = replica;
    this.newContainer = newContainer;
    this.logTail = List.copyOf(logTail);
  }

  public String service() {
    return service;
  }

  /** The 1-based index of the replica whose replacement failed. */
  public int replica() {
    return replica;
  }

  /** The id of the new container (removed), or null when it was never created. */
  public String newContainer() {
    return newContainer;
  }

  /** The new container's last lines of output (stdout and stderr), oldest first. */
  public List<String> logTail() {
    return logTail;
  }
}
