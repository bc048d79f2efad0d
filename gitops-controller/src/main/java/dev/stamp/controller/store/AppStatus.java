package dev.stamp.controller.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The status row of one app: its repository and path in it, the commit last fetched, the commit it
 * should run, the release it runs, the state and its message, the commit whose rollout failed last
 * (so that it is not retried until a new commit arrives), and when the row last changed.
 */
public record AppStatus(
    String app,
    String repo,
    String path,
    Optional<String> lastFetchedCommit,
    Optional<String> desiredCommit,
    Optional<Long> currentReleaseId,
    AppState state,
    String message,
    Optional<String> failedCommit,
    Instant updatedAt) {

  public AppStatus {
    Values.requireText(app, "app", 200);
    Values.requireText(repo, "repo", 2000);
    path = Values.orEmpty(path, "path", 1000);
    Values.requireCommit(lastFetchedCommit, "lastFetchedCommit");
    Values.requireCommit(desiredCommit, "desiredCommit");
    Objects.requireNonNull(currentReleaseId, "currentReleaseId");
    Objects.requireNonNull(state, "state");
    message = Values.orEmpty(message, "message", 100_000);
    Values.requireCommit(failedCommit, "failedCommit");
    updatedAt = Values.micros(Objects.requireNonNull(updatedAt, "updatedAt"));
  }

  /** A new app nothing is known about yet: {@link AppState#OUT_OF_SYNC}. */
  public static AppStatus of(String app, String repo, String path, Instant now) {
    return new AppStatus(
        app,
        repo,
        path,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        AppState.OUT_OF_SYNC,
        "",
        Optional.empty(),
        now);
  }

  public AppStatus withState(AppState newState, String newMessage, Instant now) {
    return new AppStatus(
        app,
        repo,
        path,
        lastFetchedCommit,
        desiredCommit,
        currentReleaseId,
        newState,
        newMessage,
        failedCommit,
        now);
  }

  public AppStatus withFetched(String fetched, String desired, Instant now) {
    return new AppStatus(
        app,
        repo,
        path,
        Optional.of(fetched),
        Optional.of(desired),
        currentReleaseId,
        state,
        message,
        failedCommit,
        now);
  }

  public AppStatus withCurrentRelease(long releaseId, Instant now) {
    return new AppStatus(
        app,
        repo,
        path,
        lastFetchedCommit,
        desiredCommit,
        Optional.of(releaseId),
        state,
        message,
        failedCommit,
        now);
  }

  public AppStatus withFailedCommit(Optional<String> commit, Instant now) {
    return new AppStatus(
        app,
        repo,
        path,
        lastFetchedCommit,
        desiredCommit,
        currentReleaseId,
        state,
        message,
        commit,
        now);
  }
}
