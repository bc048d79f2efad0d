package dev.stamp.controller.store;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a release is in its life, and where it may go next. {@code PENDING} (planned, images being
 * built) and {@code DEPLOYING} may be repeated to record progress; {@code FAILED} and {@code
 * PARTIAL} may still become {@code ROLLED_BACK} (the automatic rollback ran); {@code SUCCEEDED},
 * {@code DENIED} and {@code ROLLED_BACK} are final.
 */
public enum ReleaseState {
  PENDING,
  DENIED,
  DEPLOYING,
  SUCCEEDED,
  PARTIAL,
  FAILED,
  ROLLED_BACK;

  /** The states this one may move to. */
  public Set<ReleaseState> next() {
    return switch (this) {
      case PENDING -> EnumSet.of(PENDING, DENIED, DEPLOYING, FAILED);
      case DEPLOYING -> EnumSet.of(DEPLOYING, SUCCEEDED, PARTIAL, FAILED, ROLLED_BACK);
      case PARTIAL, FAILED -> EnumSet.of(ROLLED_BACK);
      case DENIED, SUCCEEDED, ROLLED_BACK -> EnumSet.noneOf(ReleaseState.class);
    };
  }

  public boolean canMoveTo(ReleaseState target) {
    return next().contains(target);
  }

  /** Whether the rollout is over (nothing runs for it any more). */
  public boolean finished() {
    return this != PENDING && this != DEPLOYING;
  }
}
