package dev.stamp.runtime.service;

import java.util.List;

/**
 * A replace stopped because a new replica failed to start or to become healthy: the new container
 * ({@link #container()}, null when it was never created) was removed, and (start-first) the old one
 * kept serving throughout. Replicas replaced before this one stay replaced. Carries the new
 * container's last lines of output.
 */
public final class ReplaceFailedException extends ReplicaFailureException {

  private static final long serialVersionUID = 1L;

  ReplaceFailedException(
      String message, String service, int replica, String newContainer, List<String> logTail) {
    super(message, service, replica, newContainer, logTail);
  }
}
