package dev.stamp.controller.rollout;

import java.util.Locale;

/**
 * One thing a rollout did or saw: for which app and release, service and host (empty when it is
 * about the whole release), in which phase, and what happened.
 */
public record RolloutEvent(
    String app, String release, String service, String host, Phase phase, String message) {

  /** Where a service on a host is. */
  public enum Phase {
    PLANNED,
    PUTTING,
    WAITING,
    HEALTHY,
    UNCHANGED,
    RETRYING,
    FAILED,
    SKIPPED,
    PAUSED,
    ROLLING_BACK,
    ROLLED_BACK,
    REMOVING,
    REMOVED,
    DONE;

    /** {@code rolling-back}: as logs and the events stream print it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  @Override
  public String toString() {
    return app
        + "@"
        + release
        + (service.isEmpty() ? "" : " " + service)
        + (host.isEmpty() ? "" : " on " + host)
        + ": "
        + phase.label()
        + (message.isEmpty() ? "" : " " + message);
  }
}
