package dev.stamp.controller.store;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A release as recorded: what {@link NewRelease} said, its state, one result per host and service,
 * the policy verdicts, the error that ended it (if any), when it started and when it last changed.
 */
public record Release(
    long id,
    String app,
    String commit,
    String shortCommit,
    String author,
    String message,
    Instant committedAt,
    Map<String, String> digests,
    String trigger,
    ReleaseState state,
    List<HostResult> hosts,
    List<PolicyVerdict> verdicts,
    Optional<String> error,
    Instant startedAt,
    Instant updatedAt) {

  public Release {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(shortCommit, "shortCommit");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(committedAt, "committedAt");
    digests = Collections.unmodifiableMap(new TreeMap<>(digests));
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(state, "state");
    hosts = List.copyOf(hosts);
    verdicts = List.copyOf(verdicts);
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** The first line of the commit message. */
  public String subject() {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
