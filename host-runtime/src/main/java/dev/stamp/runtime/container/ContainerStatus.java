package dev.stamp.runtime.container;

import dev.stamp.runtime.StateTransitionException;
import dev.stamp.runtime.Transitions;
import java.util.Locale;

/**
 * A container's status, always derived from its files and /proc, never cached: {@code created}
 * (never started), {@code starting} (its monitor runs, its command does not yet), {@code running},
 * {@code exited} (the monitor recorded an exit code), {@code dead} (the process is gone and no exit
 * code was recorded: the monitor was killed); {@code removed} is only ever a target (a removed
 * container has no files).
 *
 * <p>{@link #TRANSITIONS} is the one table of legal moves; the runtime checks an operation's move
 * against it ({@code start}: to starting; {@code rm} without force: to removed) and refuses any
 * other with a {@link StateTransitionException}.
 */
public enum ContainerStatus {
  CREATED,
  STARTING,
  RUNNING,
  EXITED,
  DEAD,
  REMOVED;

  /** Every legal move; the monitor makes the moves out of starting and running. */
  public static final Transitions<ContainerStatus> TRANSITIONS =
      Transitions.of(ContainerStatus.class)
          .allow(CREATED, STARTING, REMOVED)
          .allow(STARTING, RUNNING, EXITED, DEAD)
          .allow(RUNNING, EXITED, DEAD)
          .allow(EXITED, REMOVED)
          .allow(DEAD, REMOVED);

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Refuses a move {@link #TRANSITIONS} does not allow, naming {@code action} and both states. */
  public void checkMove(String action, ContainerStatus to, String hint)
      throws StateTransitionException {
    TRANSITIONS.check(action, this, to, hint);
  }
}
