package dev.stamp.runtime;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One state machine's transition table: for each state, the states it may move to. Built once per
 * enum (in the enum itself); {@link #check} refuses any other move with a {@link
 * StateTransitionException}.
 */
public final class Transitions<S extends Enum<S>> {

  private final Class<S> type;
  private final Map<S, Set<S>> allowed;

  private Transitions(Class<S> type) {
    this.type = type;
    this.allowed = new EnumMap<>(type);
  }

  public static <S extends Enum<S>> Transitions<S> of(Class<S> type) {
    return new Transitions<>(type);
  }

  /** Allows {@code from} to move to each of {@code to} (building the table). */
  @SafeVarargs
  public final Transitions<S> allow(S from, S... to) {
    Set<S> targets = allowed.computeIfAbsent(from, s -> EnumSet.noneOf(type));
    Collections.addAll(targets, to);
    return this;
  }

  /** Whether the table allows {@code from} to move to {@code to}. */
  public boolean allows(S from, S to) {
    return allowed.getOrDefault(from, Set.of()).contains(to);
  }

  /** The states {@code from} may move to. */
  public Set<S> targets(S from) {
    Set<S> targets = allowed.get(from);
    return targets == null ? EnumSet.noneOf(type) : EnumSet.copyOf(targets);
  }

  /** Refuses a move the table does not allow; {@code hint} tells the caller what to do instead. */
  public void check(String action, S from, S to, String hint) throws StateTransitionException {
    if (!allows(from, to)) {
      throw new StateTransitionException(action, from, to, hint);
    }
  }
}
