package dev.stamp.controller.git;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one fetch found: the branch's commit now, the one the mirror had before ({@code null} on the
 * first fetch), whether it changed, and how long the fetch took.
 */
public record FetchResult(String commit, String previous, boolean changed, Duration took) {

  public FetchResult {
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(took, "took");
    if (!commit.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
      throw new IllegalArgumentException("fetch result: commit is not a full id: " + commit);
    }
    if (previous != null && !previous.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
      throw new IllegalArgumentException("fetch result: previous is not a full id: " + previous);
    }
    if (changed != !commit.equals(previous)) {
      throw new IllegalArgumentException(
          "fetch result: changed=" + changed + " but " + previous + " -> " + commit);
    }
    if (took.isNegative()) {
      throw new IllegalArgumentException("fetch result: negative duration " + took);
    }
  }

  static FetchResult of(String commit, String previous, Duration took) {
    return new FetchResult(commit, previous, !commit.equals(previous), took);
  }

  /** The previous commit, empty on the first fetch of this mirror. */
  public Optional<String> previousCommit() {
    return Optional.ofNullable(previous);
  }
}
