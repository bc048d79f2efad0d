package dev.stamp.controller.rollout;

/** Told each {@link RolloutEvent} of a rollout, on the rollout's thread, in order. */
@FunctionalInterface
public interface RolloutListener {

  RolloutListener NONE = e -> {};

  void event(RolloutEvent e);
}
