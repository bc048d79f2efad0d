package dev.stamp.runtime.service;

import java.util.List;

/**
 * {@link Services#awaitHealthy} gave up: a replica stopped running, was called unhealthy by the
 * service's health monitor, or was not healthy in time. FAILED: retrying can help (a dependency
 * that was not up yet). The replica's container is still there: what to do with it is the caller's
 * choice.
 */
public final class NotHealthyException extends ReplicaFailureException {

  private static final long serialVersionUID = 1L;

  NotHealthyException(
      String message, String service, int replica, String container, List<String> logTail) {
    super(message, service, replica, container, logTail);
  }
}
