package dev.stamp.runtime.network.lb;

/** Hears health transitions (on a probe thread: return quickly, never block). */
@FunctionalInterface
public interface HealthListener {

  void onTransition(HealthTransition transition);
}
