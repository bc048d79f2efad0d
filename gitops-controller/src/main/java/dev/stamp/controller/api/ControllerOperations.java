package dev.stamp.controller.api;

import dev.stamp.controller.ControllerException;
import java.util.List;
import java.util.Optional;

/**
 * What the HTTP API asks of the controller's core. Every method but {@link #pushed} and {@link
 * #webhookSecrets} may throw {@link ControllerException}; its kind becomes the HTTP status
 * (BAD_INPUT 422, NOT_FOUND 404, CONFLICT 409, FAILED 500, or 503 when retryable) and its message
 * and retryability reach the caller unchanged, so messages must say what was being done, with which
 * input.
 */
public interface ControllerOperations {

  /** Every app the controller deploys, sorted by name. */
  List<AppView> apps() throws ControllerException;

  /** One app; NOT_FOUND when there is none by that name. */
  AppView app(String app) throws ControllerException;

  /** The app's releases, newest first, at most {@code max} (1 to 1000). */
  List<ReleaseView> history(String app, int max) throws ControllerException;

  /**
   * Release {@code id} of {@code app} (a sync's or rollback's, to follow it); NOT_FOUND otherwise.
   */
  ReleaseView release(String app, long id) throws ControllerException;

  /**
   * What a sync to {@code rev} (a commit, or the branch head when empty) would build and replace
   * where, and why; changes nothing.
   */
  PlanView plan(String app, Optional<String> rev) throws ControllerException;

  /**
   * Starts a sync to {@code rev} (the branch head when empty) and returns at once with the release
   * that records it; CONFLICT inside a deny sync window unless {@code overrideWindow}.
   */
  SyncAccepted sync(String app, Optional<String> rev, boolean overrideWindow)
      throws ControllerException;

  /**
   * Makes a {@code git revert} commit back to release {@code toRelease} (the one before the current
   * when empty) and starts syncing it; returns at once.
   */
  SyncAccepted rollback(String app, Optional<Long> toRelease) throws ControllerException;

  /**
   * Sends the app's stored events with an id above {@code after} to {@code sink}, then live ones as
   * they happen, and returns when {@link EventSink#offer} answers false or {@link EventSink#closed}
   * turns true. Runs on a thread of its own per reader; must not hold locks a writer needs.
   */
  void events(String app, long after, EventSink sink) throws ControllerException;

  /**
   * A push whose webhook signature was verified: {@code repository} is the configured name from
   * {@link #webhookSecrets}, {@code ref} a full ref ({@code refs/heads/main}), {@code afterCommit}
   * the new head. Must return within milliseconds: fetching and syncing happen elsewhere.
   */
  void pushed(String repository, String ref, String afterCommit, String provider);

  /**
   * The webhook secret of each repository that accepts pushes; empty when webhooks are off. Called
   * on every delivery, so it must be cheap (answer from memory).
   */
  List<WebhookSecret> webhookSecrets();
}
