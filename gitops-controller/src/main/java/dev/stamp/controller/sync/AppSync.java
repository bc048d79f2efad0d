package dev.stamp.controller.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.builder.engine.Progress;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.controller.git.CommitInfo;
import dev.stamp.controller.git.TreeSnapshot;
import dev.stamp.controller.images.BuildInputs;
import dev.stamp.controller.images.ImagePlanner;
import dev.stamp.controller.images.ServiceImage;
import dev.stamp.controller.rollout.DesiredApp;
import dev.stamp.controller.rollout.HostServiceResult;
import dev.stamp.controller.rollout.Rollout;
import dev.stamp.controller.rollout.RolloutEvent;
import dev.stamp.controller.rollout.RolloutPlan;
import dev.stamp.controller.rollout.RolloutResult;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.AppStatus;
import dev.stamp.controller.store.ControllerStore;
import dev.stamp.controller.store.HostResult;
import dev.stamp.controller.store.NewRelease;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.ReleaseState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of one app to one commit, in named steps: load (the app's compose file from the tree),
 * images (reuse or build), gate (policies), plan (what changes on which host), roll out (through
 * the agents, in depends_on order and update_config pace), record (the release and the app's
 * status). A failure at any step leaves the running release untouched and says which step failed,
 * with which input; a failed commit is recorded so the poll loop does not retry it until a new
 * commit arrives.
 */
public final class AppSync {

  private static final Logger LOG = LoggerFactory.getLogger(AppSync.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How agents name the images: {@code advertise/app/service@digest}. */
  public interface ImageNames {
    String agentReference(String app, String service, String digest);
  }

  /**
   * Where a sync's images go before any agent is told of them ({@code images.distribution:
   * registry}), or nowhere ({@link #NONE}: the embedded endpoint serves the store as it is).
   */
  public interface Publisher {
    Publisher NONE = (app, shortCommit, digests) -> {};

    /** Makes {@code digests} (service → manifest digest) pullable by the agents. */
    void publish(String app, String shortCommit, Map<String, String> digests)
        throws ControllerException;
  }

  /** A past commit's tree, to rebuild the last good release's spec for a rollback. */
  public interface Snapshots {
    TreeSnapshot snapshot(String commit) throws ControllerException;
  }

  /** A rollout over the hosts that reports to {@code listener}. */
  public interface Rollouts {
    Rollout create(dev.stamp.controller.rollout.RolloutListener listener);
  }

  /** Who hears of a sync's progress: new events (to wake stream readers), finished releases. */
  public interface Listener {
    default void event(String app) {}

    /** The images of a sync, built or reused (for the build and cache-hit metrics). */
    default void images(String app, Map<String, ServiceImage> images) {}

    default void released(
        String app, long release, ReleaseState state, String commit, String message) {}
  }

  /** What one sync did. */
  public record Outcome(
      String app, String commit, Optional<Long> release, AppState state, String message) {}

  private final String repository;
  private final String path;
  private final ControllerStore store;
  private final ImagePlanner images;
  private final Rollouts rollouts;
  private final PolicyGate gate;
  private final ImageNames names;
  private final Publisher publisher;
  private final java.util.concurrent.locks.Lock imagesInUse;
  private final Snapshots snapshots;
  private final int keepReleases;
  private final Clock clock;
  private final Listener listener;

  public AppSync(
      String repository,
      String path,
      ControllerStore store,
      ImagePlanner images,
      Rollouts rollouts,
      PolicyGate gate,
      ImageNames names,
      Publisher publisher,
      java.util.concurrent.locks.Lock imagesInUse,
      Snapshots snapshots,
      int keepReleases,
      Clock clock,
      Listener listener) {
    this.repository = repository;
    this.path = path;
    this.store = store;
    this.images = images;
    this.rollouts = rollouts;
    this.gate = gate;
    this.names = names;
    this.publisher = publisher;
    this.imagesInUse = imagesInUse;
    this.snapshots = snapshots;
    this.keepReleases = keepReleases;
    this.clock = clock;
    this.listener = listener;
  }

  /** Syncs {@code loaded} (read from {@code tree}) to the hosts; {@code trigger} says who asked. */
  public Outcome sync(TreeSnapshot tree, DesiredState.Loaded loaded, String trigger)
      throws ControllerException {
    return sync(tree, loaded, trigger, Optional.empty());
  }

  /**
   * The same, recording into {@code pending} (a PENDING release made when a person asked for this
   * sync, so they could follow it) instead of a new release.
   */
  public Outcome sync(
      TreeSnapshot tree, DesiredState.Loaded loaded, String trigger, Optional<Long> pending)
      throws ControllerException {
    ImagesHeld held = new ImagesHeld();
    try {
      return run(tree, loaded, trigger, pending, held);
    } finally {
      held.release();
    }
  }

  /**
   * {@code imagesInUse}, held from before the images are looked up until a release names them (then
   * image garbage collection keeps them), so collection never deletes an image under a sync.
   */
  private final class ImagesHeld {
    private boolean held;

    ImagesHeld() {
      imagesInUse.lock();
      held = true;
    }

    void release() {
      if (held) {
        held = false;
        imagesInUse.unlock();
      }
    }
  }

  private Outcome run(
      TreeSnapshot tree,
      DesiredState.Loaded loaded,
      String trigger,
      Optional<Long> pending,
      ImagesHeld held)
      throws ControllerException {
    CommitInfo commit = tree.commit();
    String app = loaded.name();
    if (loaded.error().isPresent()) {
      return stepFailed(pending, tree, app, trigger, loaded.error().get(), Map.of(), false);
    }
    ComposeApp compose = loaded.app().orElseThrow();
    // before this sync says SYNCING: whether the hosts ran the app as the last sync left them
    boolean wasSynced = store.appStatus(app).map(a -> a.state() == AppState.SYNCED).orElse(false);
    status(app, AppState.SYNCING, "syncing " + commit.shortId(), commit.id(), Optional.empty());

    // 1. gate what the commit says before anything of it runs (a RUN step is code from Git)
    PolicyGate.Verdict before = gate.check(compose, tree, Map.of());
    if (before.denied()) {
      Outcome out =
          refuse(
              pending,
              tree,
              app,
              trigger,
              ReleaseState.DENIED,
              AppState.FAILED,
              "denied by policy: " + summary(before),
              Map.of(),
              false);
      if (out.release().isPresent()) {
        store.recordPolicy(out.release().get(), before.findings());
      }
      return out;
    }

    // 2. images
    Map<String, ServiceImage> built;
    try {
      built = images(tree, compose);
    } catch (ControllerException e) {
      return stepFailed(pending, tree, app, trigger, "images: " + e.getMessage(), Map.of(), false);
    }
    listener.images(app, built);
    Map<String, String> digests = new LinkedHashMap<>();
    built.forEach((service, image) -> digests.put(service, image.digest()));

    // 3. gate again, with the images
    PolicyGate.Verdict verdict = gate.check(compose, tree, built);
    if (verdict.denied()) {
      Outcome out =
          refuse(
              pending,
              tree,
              app,
              trigger,
              ReleaseState.DENIED,
              AppState.FAILED,
              "denied by policy: " + summary(verdict),
              digests,
              false);
      if (out.release().isPresent()) {
        store.recordPolicy(out.release().get(), verdict.findings());
      }
      return out;
    }

    // 4. publish (a registry): nothing is rolled out unless every image can be pulled
    try {
      publisher.publish(app, commit.shortId(), digests);
    } catch (ControllerException e) {
      return stepFailed(
          pending, tree, app, trigger, "publish: " + e.getMessage(), digests, e.retryable());
    }

    // 5. plan
    DesiredApp desired;
    RolloutPlan plan;
    // the plan's own events (an agent retried while listing): told once the release has an id
    List<RolloutEvent> planning = new ArrayList<>();
    try {
      desired = desiredApp(compose, commit.shortId(), digests);
      plan = rollouts.create(planning::add).plan(desired);
    } catch (ControllerException e) {
      return stepFailed(pending, tree, app, trigger, "plan: " + e.getMessage(), digests, false);
    }
    Optional<Release> current = store.lastGood(app);
    if (!plan.changes() && wasSynced && pending.isEmpty()) {
      String message = "in sync at " + commit.shortId() + " (nothing to replace)";
      status(app, AppState.SYNCED, message, commit.id(), current.map(Release::id));
      return new Outcome(app, commit.id(), current.map(Release::id), AppState.SYNCED, message);
    }

    // 6. roll out
    long id = startRelease(pending, commit, app, digests, trigger);
    held.release(); // the release names the images now
    store.recordPolicy(id, verdict.findings());
    store.updateRelease(id, ReleaseState.DEPLOYING, List.of(), null);
    event(
        app,
        id,
        "release",
        Map.of("state", "deploying", "commit", commit.id(), "changes", plan.lines()));
    Optional<DesiredApp> lastGood = lastGoodApp(current);
    planning.forEach(e -> event(app, id, "rollout", rolloutEvent(e)));
    RolloutResult result;
    try {
      // the plan just made, not a second one: an unreachable agent is retried once per sync
      result =
          rollouts
              .create(e -> event(app, id, "rollout", rolloutEvent(e)))
              .apply(desired, lastGood, plan);
    } catch (ControllerException e) {
      store.updateRelease(id, ReleaseState.FAILED, List.of(), e.getMessage());
      listener.released(app, id, ReleaseState.FAILED, commit.id(), e.getMessage());
      status(
          app,
          AppState.FAILED,
          "rollout: " + e.getMessage(),
          commit.id(),
          current.map(Release::id),
          commit.id());
      event(app, id, "release", Map.of("state", "failed", "error", e.getMessage()));
      return new Outcome(app, commit.id(), Optional.of(id), AppState.FAILED, e.getMessage());
    }

    // 7. record
    List<HostResult> hosts = new ArrayList<>();
    for (HostServiceResult r : result.results()) {
      hosts.add(new HostResult(r.host(), r.service(), r.outcome().label(), r.message()));
    }
    ReleaseState state;
    AppState appState;
    Optional<String> failed = Optional.empty();
    switch (result.state()) {
      case SUCCEEDED -> {
        state = ReleaseState.SUCCEEDED;
        appState = AppState.SYNCED;
      }
      case PARTIAL -> {
        state = ReleaseState.PARTIAL;
        appState = AppState.DEGRADED;
      }
      case ROLLED_BACK -> {
        state = ReleaseState.ROLLED_BACK;
        appState = AppState.FAILED;
        failed = Optional.of(commit.id());
      }
      default -> {
        state = ReleaseState.FAILED;
        appState = result.state() == RolloutResult.State.PAUSED ? AppState.PAUSED : AppState.FAILED;
        failed = Optional.of(commit.id());
      }
    }
    store.updateRelease(
        id, state, hosts, state == ReleaseState.SUCCEEDED ? null : result.message());
    listener.released(app, id, state, commit.id(), result.message());
    Optional<Long> running =
        state == ReleaseState.SUCCEEDED || state == ReleaseState.PARTIAL
            ? Optional.of(id)
            : current.map(Release::id);
    String message =
        state.name().toLowerCase(java.util.Locale.ROOT)
            + " at "
            + commit.shortId()
            + (result.message().isEmpty() ? "" : ": " + result.message());
    status(app, appState, message, commit.id(), running, failed.orElse(null));
    event(
        app,
        id,
        "release",
        Map.of(
            "state", state.name().toLowerCase(java.util.Locale.ROOT), "message", result.message()));
    store.prune(app, keepReleases);
    LOG.info("app {}: {}", app, message);
    return new Outcome(app, commit.id(), Optional.of(id), appState, message);
  }

  /**
   * Removes {@code app}, whose compose file is not in the repository at {@code commit} any more:
   * every service of it is deleted from every host. Recorded as the app's state {@link
   * AppState#REMOVED} and a {@code removed} event once every host has done it; a host that could
   * not be reached leaves the app in {@link AppState#ERROR} saying which, and the next pass tries
   * again (what was deleted stays deleted).
   */
  public Outcome remove(String app, CommitInfo commit) throws ControllerException {
    Rollout.Removal removal =
        rollouts.create(e -> event(app, null, "rollout", rolloutEvent(e))).remove(app);
    Optional<Long> current = store.appStatus(app).flatMap(AppStatus::currentReleaseId);
    String deleted =
        removal.deleted().isEmpty()
            ? "no service was running"
            : "deleted "
                + removal.deleted().entrySet().stream()
                    .map(e -> String.join(", ", e.getValue()) + " on " + e.getKey())
                    .reduce((a, b) -> a + "; " + b)
                    .orElse("");
    if (!removal.failed().isEmpty()) {
      String message =
          "removing (no longer in the repository at "
              + commit.shortId()
              + "): "
              + removal.failed().entrySet().stream()
                  .map(e -> "host " + e.getKey() + ": " + e.getValue())
                  .reduce((a, b) -> a + "; " + b)
                  .orElse("")
              + " (retried at the next pass; "
              + deleted
              + ")";
      status(app, AppState.ERROR, message, commit.id(), current);
      LOG.warn("app {}: {}", app, message);
      return new Outcome(app, commit.id(), current, AppState.ERROR, message);
    }
    String message = "removed: no longer in the repository at " + commit.shortId() + "; " + deleted;
    status(app, AppState.REMOVED, message, commit.id(), current);
    event(app, null, "removed", Map.of("commit", commit.id(), "deleted", removal.deleted()));
    LOG.info("app {}: {}", app, message);
    return new Outcome(app, commit.id(), current, AppState.REMOVED, message);
  }

  /** A digest that stands for an image still to be built in a plan. */
  public static final String UNBUILT = "sha256:" + "0".repeat(64);

  /**
   * What a sync of {@code loaded} would change on the hosts, without building or pulling: images
   * that would be reused count with their digests, images still to build as {@link #UNBUILT} (every
   * host running the service then shows a replace).
   */
  public RolloutPlan plan(TreeSnapshot tree, DesiredState.Loaded loaded)
      throws ControllerException {
    if (loaded.error().isPresent()) {
      throw ControllerException.badInput(loaded.error().get());
    }
    ComposeApp compose = loaded.app().orElseThrow();
    List<BuildInputs> builds = new ArrayList<>();
    for (ComposeService s : compose.services().values()) {
      if (s.build() != null) {
        builds.add(BuildInputs.of(compose, s));
      }
    }
    Map<String, String> digests = new LinkedHashMap<>();
    for (var d : images.plan(tree, builds)) {
      digests.put(d.service(), d.digest().orElse(UNBUILT));
    }
    for (ComposeService s : compose.services().values()) {
      if (s.build() == null) {
        digests.put(s.name(), images.known(s.image()).orElse(UNBUILT));
      }
    }
    return rollouts.create(e -> {}).plan(desiredApp(compose, tree.commit().shortId(), digests));
  }

  /** The images of every service: built (or reused) where it has a build, named otherwise. */
  private Map<String, ServiceImage> images(TreeSnapshot tree, ComposeApp compose)
      throws ControllerException {
    List<BuildInputs> builds = new ArrayList<>();
    for (ComposeService s : compose.services().values()) {
      if (s.build() != null) {
        builds.add(BuildInputs.of(compose, s));
      }
    }
    Map<String, ServiceImage> out = new LinkedHashMap<>(images.ensure(tree, builds, Progress.NONE));
    for (ComposeService s : compose.services().values()) {
      if (s.build() == null) {
        if (s.image() == null) {
          throw ControllerException.badInput(
              compose.file() + ": services." + s.name() + ": needs build or image");
        }
        out.put(s.name(), images.named(tree, compose.name(), s.name(), s.image()));
      }
    }
    return out;
  }

  private DesiredApp desiredApp(ComposeApp compose, String release, Map<String, String> digests)
      throws ControllerException {
    Map<String, String> refs = new LinkedHashMap<>();
    digests.forEach(
        (service, digest) ->
            refs.put(service, names.agentReference(compose.name(), service, digest)));
    return DesiredApp.of(compose, release, refs);
  }

  /** The last good release as a desired app again: its commit's compose file, its digests. */
  private Optional<DesiredApp> lastGoodApp(Optional<Release> release) {
    if (release.isEmpty()) {
      return Optional.empty();
    }
    Release r = release.get();
    try {
      TreeSnapshot tree = snapshots.snapshot(r.commit());
      for (DesiredState.Loaded loaded : DesiredState.read(tree, path, repository).apps().values()) {
        if (loaded.name().equals(r.app()) && loaded.app().isPresent()) {
          return Optional.of(desiredApp(loaded.app().get(), r.shortCommit(), r.digests()));
        }
      }
    } catch (ControllerException e) {
      LOG.warn(
          "app {}: cannot rebuild the last good release {} for a rollback: {}",
          r.app(),
          r.id(),
          e.getMessage());
    }
    return Optional.empty();
  }

  /**
   * A commit that could not be loaded, or a step that failed before anything was rolled out: the
   * release failed, the app in error.
   */
  private Outcome stepFailed(
      Optional<Long> pending,
      TreeSnapshot tree,
      String app,
      String trigger,
      String message,
      Map<String, String> digests,
      boolean retryable)
      throws ControllerException {
    return refuse(
        pending,
        tree,
        app,
        trigger,
        ReleaseState.FAILED,
        AppState.ERROR,
        message,
        digests,
        retryable);
  }

  /**
   * Records a release that deployed nothing. A {@code retryable} failure (a registry that is down)
   * is not remembered as the app's failed commit, so the next poll tries the commit again.
   */
  private Outcome refuse(
      Optional<Long> pending,
      TreeSnapshot tree,
      String app,
      String trigger,
      ReleaseState state,
      AppState appState,
      String message,
      Map<String, String> digests,
      boolean retryable)
      throws ControllerException {
    CommitInfo commit = tree.commit();
    Optional<Release> current = store.lastGood(app);
    long id = startRelease(pending, commit, app, digests, trigger);
    store.updateRelease(id, state, List.of(), message);
    listener.released(app, id, state, commit.id(), message);
    if (retryable) {
      status(app, appState, message, commit.id(), current.map(Release::id));
    } else {
      status(app, appState, message, commit.id(), current.map(Release::id), commit.id());
    }
    event(
        app,
        id,
        "release",
        Map.of("state", state.name().toLowerCase(java.util.Locale.ROOT), "error", message));
    LOG.warn("app {} at {}: {}", app, commit.shortId(), message);
    return new Outcome(app, commit.id(), Optional.of(id), appState, message);
  }

  /** The pending release (its images recorded now), or a new one. */
  private long startRelease(
      Optional<Long> pending,
      CommitInfo commit,
      String app,
      Map<String, String> digests,
      String trigger)
      throws ControllerException {
    if (pending.isPresent()) {
      store.recordDigests(pending.get(), digests);
      return pending.get();
    }
    return store.startRelease(release(commit, app, digests, trigger));
  }

  /** A release record for {@code commit} of {@code app}, PENDING until its rollout starts. */
  public static NewRelease release(
      CommitInfo commit, String app, Map<String, String> digests, String trigger) {
    return new NewRelease(
        app,
        commit.id(),
        commit.shortId(),
        commit.author(),
        commit.subject(),
        commit.time(),
        digests,
        trigger);
  }

  private void status(
      String app, AppState state, String message, String desired, Optional<Long> release)
      throws ControllerException {
    Optional<String> failed = store.appStatus(app).flatMap(AppStatus::failedCommit);
    status(app, state, message, desired, release, failed.orElse(null));
  }

  private void status(
      String app,
      AppState state,
      String message,
      String desired,
      Optional<Long> release,
      String failedCommit)
      throws ControllerException {
    Optional<AppStatus> before = store.appStatus(app);
    store.updateApp(
        new AppStatus(
            app,
            repository,
            path,
            before.flatMap(AppStatus::lastFetchedCommit),
            Optional.of(desired),
            release,
            state,
            message,
            Optional.ofNullable(failedCommit),
            clock.instant()));
  }

  private void event(String app, Long release, String type, Object data) {
    try {
      store.appendEvent(app, release, type, JSON.writeValueAsString(data));
      listener.event(app);
    } catch (Exception e) {
      LOG.warn("app {}: record event {}: {}", app, type, e.getMessage());
    }
  }

  private static Map<String, Object> rolloutEvent(RolloutEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", e.service());
    m.put("host", e.host());
    m.put("phase", e.phase().label());
    m.put("message", e.message());
    return m;
  }

  private static String summary(PolicyGate.Verdict verdict) {
    return verdict.findings().stream()
        .filter(f -> !f.waived() && f.severity().equals("error"))
        .map(f -> f.rule() + " " + f.location() + ": " + f.message())
        .reduce((a, b) -> a + "; " + b)
        .orElse("");
  }
}
