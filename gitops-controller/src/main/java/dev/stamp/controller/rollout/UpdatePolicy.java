package dev.stamp.controller.rollout;

import dev.stamp.controller.compose.ComposeService;
import java.time.Duration;
import java.util.Set;

/**
 * How one service rolls over its hosts ({@code deploy.update_config}) or back ({@code
 * rollback_config}): {@code parallelism} hosts at a time (0: all at once), {@code delay} between
 * batches, {@code failureAction} when a host fails ({@code pause}, {@code continue}, {@code
 * rollback}), {@code monitor}: how long a host must stay healthy after its replace before the next
 * batch starts. {@code order} ({@code start-first}, {@code stop-first}) is how the agent replaces
 * replicas on one host; the spec carries it to the agent, and it defaults to Stamp's {@code
 * start-first} (no gap in service) where Compose says stop-first.
 */
public record UpdatePolicy(
    int parallelism, Duration delay, String order, String failureAction, Duration monitor) {

  public static final String PAUSE = "pause";
  public static final String CONTINUE = "continue";
  public static final String ROLLBACK = "rollback";

  private static final Set<String> ORDERS = Set.of("start-first", "stop-first");
  private static final Set<String> ACTIONS = Set.of(PAUSE, CONTINUE, ROLLBACK);

  /** Compose's defaults: one host at a time, no delay, pause on failure, no monitoring. */
  public static final UpdatePolicy DEFAULT =
      new UpdatePolicy(1, Duration.ZERO, "start-first", PAUSE, Duration.ZERO);

  public UpdatePolicy {
    if (parallelism < 0) {
      throw new IllegalArgumentException(
          "update policy: parallelism must be 0 (all) or more, got " + parallelism);
    }
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("update policy: delay must be 0 or more, got " + delay);
    }
    if (monitor == null || monitor.isNegative()) {
      throw new IllegalArgumentException(
          "update policy: monitor must be 0 or more, got " + monitor);
    }
    if (!ORDERS.contains(order)) {
      throw new IllegalArgumentException(
          "update policy: order must be start-first or stop-first, got " + order);
    }
    if (!ACTIONS.contains(failureAction)) {
      throw new IllegalArgumentException(
          "update policy: failure_action must be pause, continue or rollback, got "
              + failureAction);
    }
  }

  /** {@code config} with {@link #DEFAULT} for what it leaves unset; null: the defaults. */
  public static UpdatePolicy from(ComposeService.UpdateConfig config) {
    if (config == null) {
      return DEFAULT;
    }
    return new UpdatePolicy(
        config.parallelism() == null ? DEFAULT.parallelism : config.parallelism(),
        config.delay() == null ? DEFAULT.delay : config.delay(),
        config.order() == null ? DEFAULT.order : config.order(),
        config.failureAction() == null ? DEFAULT.failureAction : config.failureAction(),
        config.monitor() == null ? DEFAULT.monitor : config.monitor());
  }

  public UpdatePolicy withParallelism(int value) {
    return new UpdatePolicy(value, delay, order, failureAction, monitor);
  }

  public UpdatePolicy withDelay(Duration value) {
    return new UpdatePolicy(parallelism, value, order, failureAction, monitor);
  }

  public UpdatePolicy withFailureAction(String value) {
    return new UpdatePolicy(parallelism, delay, order, value, monitor);
  }

  public UpdatePolicy withMonitor(Duration value) {
    return new UpdatePolicy(parallelism, delay, order, failureAction, value);
  }
}
