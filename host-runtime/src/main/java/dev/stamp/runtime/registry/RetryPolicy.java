package dev.stamp.runtime.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a registry request is retried: up to {@code maxAttempts} in all,
 * waiting {@code initialBackoff × 2^(n-1)} (capped at {@code maxBackoff}) between attempts, with
 * jitter (a random 50–100 % of that), so clients that failed together do not retry together. Only
 * failures that may pass are retried: 5xx, 429, I/O errors and timeouts — never another 4xx.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  public static final RetryPolicy DEFAULT =
      new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("retry policy: maxAttempts must be at least 1");
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "retry policy: need 0 <= initialBackoff <= maxBackoff, got "
              + initialBackoff
              + " and "
              + maxBackoff);
    }
  }

  /** Never retries. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /** Whether another attempt may follow attempt number {@code attempt} (1-based) that failed so. */
  public boolean retries(int attempt, RegistryException failure) {
    return failure.retryable() && attempt < maxAttempts;
  }

  /** The wait before attempt {@code attempt + 1}. */
  public Duration backoff(int attempt) {
    long base = initialBackoff.toMillis();
    long capped = Math.min(maxBackoff.toMillis(), base << Math.min(attempt - 1, 20));
    if (capped <= 0) {
      return Duration.ZERO;
    }
    long half = capped / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(capped - half + 1));
  }

  /** Sleeps the backoff after attempt {@code attempt}; an interrupt ends the wait early. */
  void sleepAfter(int attempt) {
    try {
      Thread.sleep(backoff(attempt).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
