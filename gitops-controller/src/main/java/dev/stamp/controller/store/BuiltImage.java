package dev.stamp.controller.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the build-key catalogue: the image built for {@code buildKey} (a hash of the
 * Dockerfile, the context files, the build args and the base digest), so that a commit whose inputs
 * were built before (a git revert) reuses the image instead of building it again.
 */
public record BuiltImage(
    String buildKey,
    String app,
    String service,
    String imageRef,
    String digest,
    String commit,
    Instant builtAt,
    Duration took) {

  public BuiltImage {
    Values.requireText(buildKey, "buildKey", 200);
    Values.requireText(app, "app", 200);
    Values.requireText(service, "service", 200);
    Values.requireText(imageRef, "imageRef", 1000);
    Values.requireDigest(digest, "digest");
    Values.requireText(commit, "commit", 64);
    builtAt = Values.micros(Objects.requireNonNull(builtAt, "builtAt"));
    Objects.requireNonNull(took, "took");
    if (took.isNegative()) {
      throw new IllegalArgumentException("took: must not be negative, got " + took);
    }
    took = Duration.ofMillis(took.toMillis());
  }
}
