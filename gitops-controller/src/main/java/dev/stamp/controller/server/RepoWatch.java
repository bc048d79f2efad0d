package dev.stamp.controller.server;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.api.ControllerMetrics;
import dev.stamp.controller.api.PlanView;
import dev.stamp.controller.api.SyncAccepted;
import dev.stamp.controller.config.RepositoryConfig;
import dev.stamp.controller.git.FetchResult;
import dev.stamp.controller.git.GitRepository;
import dev.stamp.controller.git.TreeSnapshot;
import dev.stamp.controller.images.BuildInputs;
import dev.stamp.controller.images.ImageDecision;
import dev.stamp.controller.images.ImagePlanner;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.AppStatus;
import dev.stamp.controller.store.ControllerStore;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.sync.AppSync;
import dev.stamp.controller.sync.DesiredState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One repository: its Git mirror and the syncs of its apps, all on one thread (so two syncs of an
 * app never overlap, and a burst of webhooks collapses into one fetch). Auto-sync (poll, webhook)
 * skips an app whose commit already failed (until a new commit arrives), apps in a deny window, and
 * repositories with {@code autoSync: false}; a manual sync may override the window.
 */
final class RepoWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RepoWatch.class);

  private final RepositoryConfig config;
  private final GitRepository git;
  private final ControllerStore store;
  private final ImagePlanner images;
  private final AppSync sync;
  private final ControllerMetrics metrics;
  private final Clock clock;
  private final ExecutorService worker;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final ListedOnce listedOnce;

  RepoWatch(
      RepositoryConfig config,
      GitRepository git,
      ControllerStore store,
      ImagePlanner images,
      AppSync sync,
      ControllerMetrics metrics,
      Clock clock,
      ListedOnce listedOnce) {
    this.config = config;
    this.git = git;
    this.store = store;
    this.images = images;
    this.sync = sync;
    this.metrics = metrics;
    this.clock = clock;
    this.listedOnce = listedOnce;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "stamp-sync-" + config.name());
              t.setDaemon(true);
              return t;
            });
  }

  RepositoryConfig config() {
    return config;
  }

  GitRepository git() {
    return git;
  }

  /** Asks for a fetch and sync soon; a request while one is queued is folded into it. */
  void poke(String trigger, String hint) {
    if (queued.compareAndSet(false, true)) {
      worker.submit(
          () -> {
            queued.set(false);
            reconcile(trigger, Optional.empty(), false, java.util.Map.of());
          });
    } else {
      LOG.debug("repository {}: {} folded into the queued sync ({})", config.name(), trigger, hint);
    }
  }

  /** Fetches and syncs now, on the worker, and waits for it. */
  void reconcileNow(String trigger, Optional<String> rev) {
    Future<?> f = worker.submit(() -> reconcile(trigger, rev, false, java.util.Map.of()));
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.warn("repository {}: sync failed: {}", config.name(), e.getCause().toString());
    }
  }

  /** One pass: fetch, read the apps at the commit, sync those that auto-sync allows. */
  private void reconcile(
      String trigger,
      Optional<String> rev,
      boolean overrideWindow,
      java.util.Map<String, Long> pending) {
    listedOnce.beginPass();
    try {
      pass(trigger, rev, overrideWindow, pending);
    } finally {
      listedOnce.endPass();
    }
  }

  private void pass(
      String trigger,
      Optional<String> rev,
      boolean overrideWindow,
      java.util.Map<String, Long> pending) {
    Instant start = clock.instant();
    String commit;
    TreeSnapshot tree;
    try {
      FetchResult fetched = git.fetch();
      metrics.fetched(config.name(), "ok");
      commit = rev.isPresent() ? git.resolve(rev.get()) : fetched.commit();
      tree = git.snapshot(commit);
    } catch (ControllerException e) {
      metrics.fetched(config.name(), e.retryable() ? "unreachable" : "error");
      LOG.warn("repository {}: {}", config.name(), e.getMessage());
      markRepo("fetch " + config.url() + ": " + e.getMessage());
      failPending(pending, "fetch " + config.url() + ": " + e.getMessage());
      return;
    }
    DesiredState state;
    try {
      state = DesiredState.read(tree, config.path(), config.name());
    } catch (ControllerException e) {
      markRepo("read commit " + tree.commit().shortId() + ": " + e.getMessage());
      failPending(pending, "read commit " + tree.commit().shortId() + ": " + e.getMessage());
      return;
    }
    for (var p : pending.entrySet()) {
      if (!state.apps().containsKey(p.getKey())) {
        failPending(
            java.util.Map.of(p.getKey(), p.getValue()),
            "app " + p.getKey() + " is not declared at commit " + tree.commit().shortId());
      }
    }
    for (DesiredState.Loaded loaded : state.apps().values()) {
      String app = loaded.name();
      try {
        Optional<Long> asked = Optional.ofNullable(pending.get(app));
        if (!pending.isEmpty() && asked.isEmpty()) {
          continue; // a sync of one app: the others wait for their own trigger
        }
        Optional<String> held = held(app, commit, trigger, overrideWindow);
        if (held.isPresent() && asked.isEmpty()) {
          LOG.info("app {} at {}: not synced: {}", app, tree.commit().shortId(), held.get());
          if (held.get().startsWith(WINDOW_HOLD)) {
            markHeld(app, commit, tree.commit().shortId(), held.get());
          }
          continue;
        }
        AppSync.Outcome out = sync.sync(tree, loaded, trigger, asked);
        metrics.synced(app, out.state().name().toLowerCase(java.util.Locale.ROOT));
        metrics.reconciled(
            app,
            out.state().name().toLowerCase(java.util.Locale.ROOT),
            java.time.Duration.between(start, clock.instant()));
      } catch (ControllerException | RuntimeException e) {
        LOG.warn("app {}: sync at {} failed: {}", app, tree.commit().shortId(), e.getMessage());
        metrics.synced(app, "error");
      }
    }
    if (pending.isEmpty()) {
      removeVanished(state, tree, trigger, overrideWindow);
    }
  }

  /** What an app that left the repository says while {@code prune: false} keeps it running. */
  static final String KEPT = "not in the repository any more; prune: false leaves its services";

  /**
   * The apps of this repository the store knows that the commit no longer declares: removed from
   * the hosts ({@code prune}, the default), or left running and marked so ({@code prune: false}).
   */
  private void removeVanished(
      DesiredState state, TreeSnapshot tree, String trigger, boolean overrideWindow) {
    List<AppStatus> known;
    try {
      known = store.apps();
    } catch (ControllerException e) {
      LOG.warn("repository {}: list apps: {}", config.name(), e.getMessage());
      return;
    }
    for (AppStatus s : known) {
      String app = s.app();
      if (!s.repo().equals(config.name())
          || state.apps().containsKey(app)
          || s.state() == AppState.REMOVED) {
        continue;
      }
      try {
        if (!config.prune()) {
          if (!s.message().startsWith(KEPT)) {
            store.updateApp(
                new AppStatus(
                    app,
                    s.repo(),
                    s.path(),
                    s.lastFetchedCommit(),
                    s.desiredCommit(),
                    s.currentReleaseId(),
                    s.state(),
                    KEPT + " running (at " + tree.commit().shortId() + ")",
                    s.failedCommit(),
                    clock.instant()));
          }
          continue;
        }
        Optional<String> held = held(app, tree.commit().id(), trigger, overrideWindow);
        if (held.isPresent()) {
          LOG.info("app {}: not removed now: {}", app, held.get());
          continue;
        }
        AppSync.Outcome out = sync.remove(app, tree.commit());
        metrics.synced(app, out.state().name().toLowerCase(java.util.Locale.ROOT));
      } catch (ControllerException | RuntimeException e) {
        LOG.warn("app {}: remove at {} failed: {}", app, tree.commit().shortId(), e.getMessage());
      }
    }
  }

  /** Why auto-sync leaves {@code app} alone now, if it does. */
  private Optional<String> held(String app, String commit, String trigger, boolean override)
      throws ControllerException {
    boolean auto = trigger.equals("poll") || trigger.equals("webhook");
    Optional<AppStatus> status = store.appStatus(app);
    if (auto && !config.autoSync()) {
      return Optional.of("autoSync is off for repository " + config.name());
    }
    if (auto && status.flatMap(AppStatus::failedCommit).filter(commit::equals).isPresent()) {
      return Optional.of("this commit failed before; waiting for a new commit (or a manual sync)");
    }
    if (!override && !config.syncAllowed(clock.instant(), app, !auto)) {
      return Optional.of(WINDOW_HOLD + until(app, !auto));
    }
    return Optional.empty();
  }

  private static final String WINDOW_HOLD = "held by the sync windows of repository ";

  /** The repository's name and when its windows let {@code app} through, for a message. */
  private String until(String app, boolean manual) {
    return config.name()
        + config
            .syncHeldUntil(clock.instant(), app, manual)
            .map(t -> " until " + t)
            .orElse(" (no window opens again)");
  }

  /**
   * Says on the app's status that {@code commit} waits for a sync window (unless the app already
   * runs it): OUT_OF_SYNC, with until when and how to deploy it now.
   */
  private void markHeld(String app, String commit, String shortCommit, String why) {
    try {
      Optional<AppStatus> s = store.appStatus(app);
      if (s.isPresent()
          && s.get().state() == AppState.SYNCED
          && s.get().desiredCommit().filter(commit::equals).isPresent()) {
        return;
      }
      store.updateApp(
          new AppStatus(
              app,
              config.name(),
              config.path(),
              s.flatMap(AppStatus::lastFetchedCommit),
              Optional.of(commit),
              s.flatMap(AppStatus::currentReleaseId),
              AppState.OUT_OF_SYNC,
              shortCommit
                  + " not deployed: "
                  + why
                  + "; stamp sync "
                  + app
                  + " --override-window deploys it now where a window allows manual syncs",
              s.flatMap(AppStatus::failedCommit),
              clock.instant()));
    } catch (ControllerException e) {
      LOG.warn("app {}: record the sync window's hold: {}", app, e.getMessage());
    }
  }

  /** A repository-wide failure (fetch, read): every app of it keeps running and says why. */
  private void markRepo(String message) {
    try {
      for (AppStatus s : store.apps()) {
        if (s.repo().equals(config.name())) {
          store.updateApp(
              new AppStatus(
                  s.app(),
                  s.repo(),
                  s.path(),
                  s.lastFetchedCommit(),
                  s.desiredCommit(),
                  s.currentReleaseId(),
                  s.state() == AppState.SYNCED ? AppState.ERROR : s.state(),
                  message,
                  s.failedCommit(),
                  clock.instant()));
          if (!message.equals(s.message())) {
            // once per new failure, not once per poll: the stream's readers see it as it starts
            store.appendEvent(
                s.app(),
                null,
                "error",
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .writeValueAsString(
                        java.util.Map.of("repository", config.name(), "error", message)));
          }
        }
      }
    } catch (ControllerException | com.fasterxml.jackson.core.JsonProcessingException e) {
      LOG.warn("repository {}: record the failure: {}", config.name(), e.getMessage());
    }
  }

  /** A sync asked for by a person (API, CLI): accepted now, run on the worker. */
  SyncAccepted requestSync(String app, Optional<String> rev, boolean overrideWindow, String trigger)
      throws ControllerException {
    String commit = rev.isPresent() ? resolveFetching(rev.get()) : git.fetch().commit();
    Instant now = clock.instant();
    if (!config.syncAllowed(now, app, overrideWindow)) {
      throw ControllerException.conflict(
          "app "
              + app
              + ": the sync windows of repository "
              + config.name()
              + " hold syncs now"
              + config.syncHeldUntil(now, app, overrideWindow).map(t -> " until " + t).orElse("")
              + (overrideWindow
                  ? " and do not allow manual syncs"
                  : "; pass overrideSyncWindow (stamp sync "
                      + app
                      + " --override-window) to sync anyway where a window allows manual syncs;"
                      + " without it a retry fails until then"));
    }
    long release = pendingRelease(app, commit, trigger);
    worker.submit(
        () -> reconcile(trigger, Optional.of(commit), true, java.util.Map.of(app, release)));
    return new SyncAccepted(app, release, commit, "pending");
  }

  /**
   * {@code rev} as a commit of the mirror; an unknown one is fetched first (a commit pushed a
   * moment ago, before the poll or the webhook's fetch).
   */
  private String resolveFetching(String rev) throws ControllerException {
    try {
      return git.resolve(rev);
    } catch (ControllerException e) {
      if (e.kind() != dev.stamp.runtime.StampException.Kind.NOT_FOUND) {
        throw e;
      }
      git.fetch();
      return git.resolve(rev);
    }
  }

  /** A PENDING release for a sync a person asked for, so they can follow it by its id. */
  private long pendingRelease(String app, String commit, String trigger)
      throws ControllerException {
    return store.startRelease(
        AppSync.release(git.snapshot(commit).commit(), app, java.util.Map.of(), trigger));
  }

  /** Marks the pending releases failed (the sync could not even start) with {@code message}. */
  private void failPending(java.util.Map<String, Long> pending, String message) {
    for (var p : pending.entrySet()) {
      try {
        store.updateRelease(
            p.getValue(), dev.stamp.controller.store.ReleaseState.FAILED, List.of(), message);
      } catch (ControllerException e) {
        LOG.warn("release {}: record its failure: {}", p.getValue(), e.getMessage());
      }
    }
  }

  PlanView plan(String app, Optional<String> rev) throws ControllerException {
    String commit = rev.isPresent() ? resolveFetching(rev.get()) : git.fetch().commit();
    TreeSnapshot tree = git.snapshot(commit);
    DesiredState state = DesiredState.read(tree, config.path(), config.name());
    DesiredState.Loaded loaded = state.apps().get(app);
    if (loaded == null) {
      throw ControllerException.notFound(
          "app "
              + app
              + ": not declared at commit "
              + tree.commit().shortId()
              + " of "
              + config.name());
    }
    List<String> problems = new ArrayList<>();
    List<PlanView.Build> builds = new ArrayList<>();
    List<PlanView.Change> changes = new ArrayList<>();
    if (loaded.error().isPresent()) {
      problems.add(loaded.error().get());
      return new PlanView(app, commit, builds, changes, problems);
    }
    try {
      List<BuildInputs> inputs = new ArrayList<>();
      for (var s : loaded.app().get().services().values()) {
        if (s.build() != null) {
          inputs.add(BuildInputs.of(loaded.app().get(), s));
        }
      }
      for (ImageDecision d : images.plan(tree, inputs)) {
        builds.add(
            new PlanView.Build(
                d.service(),
                d.action().name().toLowerCase(java.util.Locale.ROOT),
                d.key(),
                app + "/" + d.service() + ":" + tree.commit().shortId(),
                d.digest().orElse(null),
                d.reason()));
      }
      for (var step : sync.plan(tree, loaded).steps()) {
        changes.add(
            new PlanView.Change(
                step.host(),
                step.service(),
                step.action().label(),
                null,
                null,
                step.reason()
                    .replaceAll("\\S*" + AppSync.UNBUILT, "a new image (the sync builds it)")));
      }
    } catch (ControllerException e) {
      problems.add(e.getMessage());
    }
    return new PlanView(app, commit, builds, changes, problems);
  }

  /**
   * Makes a revert commit that brings the app back to release {@code to} (default: the good release
   * before the current one), pushes it, and syncs it: Git stays the truth.
   */
  SyncAccepted rollback(String app, Optional<Long> to) throws ControllerException {
    List<Release> history = store.history(app, 100);
    Optional<Release> current = store.lastGood(app);
    Release target;
    if (to.isPresent()) {
      target =
          store
              .release(to.get())
              .filter(r -> r.app().equals(app))
              .orElseThrow(
                  () -> ControllerException.notFound("app " + app + ": no release " + to.get()));
    } else {
      long currentId = current.map(Release::id).orElse(Long.MAX_VALUE);
      target =
          history.stream()
              .filter(r -> r.id() < currentId)
              .filter(r -> r.state().name().equals("SUCCEEDED"))
              .findFirst()
              .orElseThrow(
                  () ->
                      ControllerException.conflict(
                          "app " + app + ": no earlier good release to roll back to"));
    }
    String message =
        "Roll back "
            + app
            + " to release "
            + target.id()
            + " ("
            + target.shortCommit()
            + ")\n\nBy stamp rollback.";
    String commit = git.restore(target.commit(), "stamp", "stamp@localhost", message);
    long release = pendingRelease(app, commit, "rollback");
    worker.submit(
        () -> reconcile("rollback", Optional.of(commit), true, java.util.Map.of(app, release)));
    return new SyncAccepted(app, release, commit, "pending");
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    git.close();
  }
}
