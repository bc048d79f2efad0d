package dev.stamp.controller.store;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A release about to start: the commit it deploys, the image digest of each service, and what
 * started it ({@link #TRIGGERS}: {@code poll}, {@code webhook}, {@code manual}, {@code rollback},
 * {@code startup}).
 */
public record NewRelease(
    String app,
    String commit,
    String shortCommit,
    String author,
    String message,
    Instant committedAt,
    Map<String, String> digests,
    String trigger) {

  public static final Set<String> TRIGGERS =
      Set.of("poll", "webhook", "manual", "rollback", "startup");

  public NewRelease {
    Values.requireText(app, "app", 200);
    Values.requireText(commit, "commit", 64);
    shortCommit =
        shortCommit == null ? commit.substring(0, Math.min(12, commit.length())) : shortCommit;
    Values.requireText(shortCommit, "shortCommit", 64);
    author = Values.orEmpty(author, "author", 500);
    message = Values.orEmpty(message, "message", 100_000);
    committedAt = Values.micros(Objects.requireNonNull(committedAt, "committedAt"));
    Objects.requireNonNull(digests, "digests");
    checkDigests(digests);
    digests = Collections.unmodifiableMap(new TreeMap<>(digests));
    Objects.requireNonNull(trigger, "trigger");
    if (!TRIGGERS.contains(trigger)) {
      throw new IllegalArgumentException(
          "trigger: one of " + new TreeSet<>(TRIGGERS) + ", got " + trigger);
    }
  }

  /** IllegalArgumentException naming the first bad entry of {@code digests} (service → digest). */
  static void checkDigests(Map<String, String> digests) {
    digests.forEach(
        (service, digest) -> {
          Values.requireText(service, "digests: service", 200);
          Values.requireDigest(digest, "digests." + service);
        });
  }
}
