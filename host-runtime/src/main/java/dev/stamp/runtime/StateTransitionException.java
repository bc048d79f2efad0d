package dev.stamp.runtime;

import java.util.Locale;

/**
 * A move a state machine's transition table does not allow (as runc's libcontainer refuses an
 * invalid state transition): a CONFLICT naming the action, the state it was in and the state the
 * action would have moved it to.
 */
public final class StateTransitionException extends HostRuntimeException {

  private static final long serialVersionUID = 1L;

  private final Enum<?> from;
  private final Enum<?> to;

  public StateTransitionException(String action, Enum<?> from, Enum<?> to, String hint) {
    super(
        Kind.CONFLICT,
        action
            + ": it is "
            + label(from)
            + ", it cannot become "
            + label(to)
            + (hint == null || hint.isEmpty() ? "" : " (" + hint + ")"));
    this.from = from;
    this.to = to;
  }

  /** The state the thing was in. */
  public Enum<?> from() {
    return from;
  }

  /** The state the refused action would have moved it to. */
  public Enum<?> to() {
    return to;
  }

  static String label(Enum<?> state) {
    return state.name().toLowerCase(Locale.ROOT);
  }
}
