package dev.stamp.agent;

import java.time.Duration;
import java.util.Locale;

/**
 * What the agent does with a replica that exited (wire field {@code restart}, validated by {@link
 * dev.stamp.agent.api.ServiceSpec}): {@code no} leaves it, {@code on-failure[:N]} replaces it when
 * it exited with a non-zero code (at most {@code N} times in a row; no N: without limit), {@code
 * always} and {@code unless-stopped} replace it whatever its code (the agent never stops a replica
 * in place, so both mean the same here). Unset: {@code always}, as a swarm service's {@code any}. A
 * replica is never restarted in place: a fresh container of the service's spec takes its place
 * ({@link dev.stamp.runtime.service.Services#replaceReplica}).
 *
 * <p>Between attempts the agent waits {@link #backoff}: 100 ms doubling to 10 s; a replica that has
 * run for {@link #RESET_AFTER} resets the count.
 */
record RestartPolicy(Mode mode, int maxRetries) {

  static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  static final Duration RESET_AFTER = Duration.ofSeconds(10);

  enum Mode {
    NO,
    ON_FAILURE,
    ALWAYS,
    UNLESS_STOPPED
  }

  /** {@code text} as the wire has it (null: always); 0 retries: no limit. */
  static RestartPolicy parse(String text) {
    if (text == null || text.isBlank()) {
      return new RestartPolicy(Mode.ALWAYS, 0);
    }
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("on-failure")) {
      int max = t.contains(":") ? Integer.parseInt(t.substring(t.indexOf(':') + 1)) : 0;
      return new RestartPolicy(Mode.ON_FAILURE, max);
    }
    return new RestartPolicy(Mode.valueOf(t.replace('-', '_').toUpperCase(Locale.ROOT)), 0);
  }

  /** Whether a replica that exited with {@code exitCode} is replaced (limits aside). */
  boolean replaces(int exitCode) {
    return switch (mode) {
      case NO -> false;
      case ON_FAILURE -> exitCode != 0;
      case ALWAYS, UNLESS_STOPPED -> true;
    };
  }

  /** Whether {@code done} replacements in a row already use up the policy's limit. */
  boolean exhausted(int done) {
    return mode == Mode.ON_FAILURE && maxRetries > 0 && done >= maxRetries;
  }

  /** The wait before replacement number {@code done + 1}: 100 ms doubling, at most 10 s. */
  static Duration backoff(int done) {
    long ms = FIRST_BACKOFF.toMillis() << Math.min(done, 20);
    return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
  }

  String label() {
    return switch (mode) {
      case ON_FAILURE -> maxRetries > 0 ? "on-failure:" + maxRetries : "on-failure";
      default -> mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
    };
  }
}
