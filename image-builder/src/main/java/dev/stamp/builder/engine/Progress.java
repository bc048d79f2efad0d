package dev.stamp.builder.engine;

/** Where a build reports its steps; called from several threads (stages run in parallel). */
public interface Progress {

  /** A step begins (not called for steps the cache serves). */
  default void started(int number, String title) {}

  /** A line a RUN printed. */
  default void output(int number, String line) {}

  /** A step ended. */
  default void finished(StepReport step) {}

  Progress NONE = new Progress() {};
}
