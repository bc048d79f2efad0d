package dev.stamp.runtime.service;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.stamp.runtime.StateTransitionException;
import dev.stamp.runtime.Transitions;
import java.util.Locale;

/**
 * A service's state as its record stores it ({@code "creating"}, ...: the lower-case name, as
 * records always had it; any case is read): {@code creating} until every replica runs and the front
 * is published, {@code running}, {@code replacing} while {@link ServiceReplacer} swaps replicas,
 * {@code removing} while it is taken down.
 *
 * <p>{@link #TRANSITIONS} is the one table of legal moves; {@link ServiceRecord#moveTo} refuses any
 * other with a {@link StateTransitionException}.
 */
public enum ServiceState {
  CREATING,
  RUNNING,
  REPLACING,
  REMOVING;

  /** Every legal move; removing again is a remove redone after a kill. */
  public static final Transitions<ServiceState> TRANSITIONS =
      Transitions.of(ServiceState.class)
          .allow(CREATING, RUNNING, REMOVING)
          .allow(RUNNING, REPLACING, REMOVING)
          .allow(REPLACING, RUNNING, REMOVING)
          .allow(REMOVING, REMOVING);

  @JsonValue
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static ServiceState of(String label) {
    return valueOf(label.strip().toUpperCase(Locale.ROOT));
  }

  /** Refuses a move {@link #TRANSITIONS} does not allow, naming {@code action} and both states. */
  public void checkMove(String action, ServiceState to, String hint)
      throws StateTransitionException {
    TRANSITIONS.check(action, this, to, hint);
  }
}
