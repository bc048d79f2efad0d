package dev.stamp.controller.store;

/** What the controller last concluded about an app. */
public enum AppState {
  /** The hosts run what the desired commit says. */
  SYNCED,
  /** The desired commit differs from what runs, and no rollout has started yet. */
  OUT_OF_SYNC,
  /** A rollout is running. */
  SYNCING,
  /** Runs, but some hosts or services do not (a partial rollout, drift not yet replaced). */
  DEGRADED,
  /** The last rollout failed (and was rolled back where configured). */
  FAILED,
  /** Automatic syncing is paused by a person. */
  PAUSED,
  /** The controller could not even plan (bad compose file, unreachable repository). */
  ERROR,
  /** Its compose file left the repository and its services were deleted from every host. */
  REMOVED
}
