package dev.stamp.controller.images;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An image the controller built: under which build key, for which app and service, its name and
 * manifest digest, the commit that first produced it, when and how long it took.
 */
public record CatalogEntry(
    String key,
    String app,
    String service,
    String reference,
    String digest,
    String commit,
    Instant builtAt,
    Duration took) {

  public CatalogEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(reference, "reference");
    if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("digest: expected sha256:<64 hex>, got " + digest);
    }
  }

  /** The same image recorded under another key (a source key beside its content key). */
  public CatalogEntry withKey(String other) {
    return new CatalogEntry(other, app, service, reference, digest, commit, builtAt, took);
  }
}
