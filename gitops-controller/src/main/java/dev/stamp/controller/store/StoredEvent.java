package dev.stamp.controller.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One event of an app, as the events stream serves it. {@code id} counts per app from 1 without
 * gaps, in commit order: a reader that saw id N and asks for events after N misses none.
 */
public record StoredEvent(
    long id, String app, Optional<Long> releaseId, String type, String json, Instant at) {

  public StoredEvent {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(releaseId, "releaseId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(at, "at");
  }
}
