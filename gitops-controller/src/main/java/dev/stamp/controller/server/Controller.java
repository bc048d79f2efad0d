package dev.stamp.controller.server;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.api.AppView;
import dev.stamp.controller.api.ControllerOperations;
import dev.stamp.controller.api.EventSink;
import dev.stamp.controller.api.PlanView;
import dev.stamp.controller.api.ReleaseView;
import dev.stamp.controller.api.SyncAccepted;
import dev.stamp.controller.api.WebhookSecret;
import dev.stamp.controller.config.ControllerConfig;
import dev.stamp.controller.config.RepositoryConfig;
import dev.stamp.controller.store.AppStatus;
import dev.stamp.controller.store.ControllerStore;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.StoredEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller: one {@link RepoWatch} per configured repository (its Git mirror, its apps' syncs
 * on one thread of their own), the store, the agents, the image distribution endpoint, Quartz jobs,
 * and the answers the HTTP API gives. On start it syncs every repository once, so a controller
 * killed mid-rollout converges again (agents' PUTs are idempotent: no duplicate containers).
 */
public final class Controller implements ControllerOperations, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

  private final ControllerConfig config;
  private final ControllerStore store;
  private final Map<String, RepoWatch> repos;
  private final EventBus bus;
  private final Clock clock;
  private final List<AutoCloseable> resources = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ImageGc gc;

  /** The Quartz job that collects images no kept release names ({@code images.gcInterval}). */
  static final String IMAGE_GC_JOB = "gc:images";

  Controller(
      ControllerConfig config,
      ControllerStore store,
      Map<String, RepoWatch> repos,
      EventBus bus,
      Clock clock,
      ImageGc gc) {
    this.gc = gc;
    this.config = config;
    this.store = store;
    this.repos = Map.copyOf(repos);
    this.bus = bus;
    this.clock = clock;
  }

  /** One image garbage collection now (what the {@link #IMAGE_GC_JOB} job runs). */
  ImageGc.Result collectImages() throws ControllerException {
    return gc.collect();
  }

  public ControllerStore store() {
    return store;
  }

  /** The repository that declares {@code app}, as last read. */
  private RepoWatch repoOf(String app) throws ControllerException {
    Optional<AppStatus> status = store.appStatus(app);
    if (status.isPresent() && repos.containsKey(status.get().repo())) {
      return repos.get(status.get().repo());
    }
    throw ControllerException.notFound("app " + app + ": no such app (apps: " + names() + ")");
  }

  private List<String> names() throws ControllerException {
    return store.apps().stream().map(AppStatus::app).sorted().toList();
  }

  @Override
  public List<AppView> apps() throws ControllerException {
    List<AppView> out = new ArrayList<>();
    for (AppStatus s : store.apps()) {
      out.add(Views.app(s, branchOf(s.repo()), store.lastGood(s.app())));
    }
    out.sort(java.util.Comparator.comparing(AppView::name));
    return out;
  }

  @Override
  public AppView app(String app) throws ControllerException {
    Optional<AppStatus> found = store.appStatus(app);
    if (found.isEmpty()) {
      throw ControllerException.notFound("app " + app + ": no such app (apps: " + names() + ")");
    }
    AppStatus s = found.get();
    return Views.app(s, branchOf(s.repo()), store.lastGood(app));
  }

  private String branchOf(String repo) {
    RepoWatch w = repos.get(repo);
    return w == null ? null : w.config().branch();
  }

  @Override
  public List<ReleaseView> history(String app, int max) throws ControllerException {
    app(app);
    List<ReleaseView> out = new ArrayList<>();
    for (Release r : store.history(app, max)) {
      out.add(Views.release(r));
    }
    return out;
  }

  @Override
  public ReleaseView release(String app, long id) throws ControllerException {
    app(app);
    Optional<Release> r = store.release(id).filter(x -> x.app().equals(app));
    if (r.isEmpty()) {
      throw ControllerException.notFound("app " + app + ": no release " + id);
    }
    return Views.release(r.get());
  }

  @Override
  public PlanView plan(String app, Optional<String> rev) throws ControllerException {
    return repoOf(app).plan(app, rev);
  }

  @Override
  public SyncAccepted sync(String app, Optional<String> rev, boolean overrideWindow)
      throws ControllerException {
    return repoOf(app).requestSync(app, rev, overrideWindow, "manual");
  }

  @Override
  public SyncAccepted rollback(String app, Optional<Long> toRelease) throws ControllerException {
    return repoOf(app).rollback(app, toRelease);
  }

  @Override
  public void events(String app, long after, EventSink sink) throws ControllerException {
    app(app);
    long last = after;
    while (!sink.closed()) {
      List<StoredEvent> batch = store.events(app, last, 100);
      for (StoredEvent e : batch) {
        if (!sink.offer(Views.event(e))) {
          return;
        }
        last = e.id();
      }
      if (batch.isEmpty()) {
        try {
          bus.await(app, 1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void pushed(String repository, String ref, String afterCommit, String provider) {
    RepoWatch w = repos.get(repository);
    if (w == null) {
      LOG.warn("webhook ({}) for unknown repository {}", provider, repository);
      return;
    }
    LOG.info("webhook ({}): push to {} {} at {}: syncing", provider, repository, ref, afterCommit);
    w.poke("webhook", afterCommit);
  }

  @Override
  public List<WebhookSecret> webhookSecrets() {
    List<WebhookSecret> out = new ArrayList<>();
    for (RepoWatch w : repos.values()) {
      RepositoryConfig c = w.config();
      if (c.webhook() == null) {
        continue;
      }
      try {
        out.add(
            new WebhookSecret(
                c.name(),
                c.webhook().provider().configName(),
                c.branch(),
                c.webhook().secretFile().read().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      } catch (ControllerException e) {
        LOG.warn("repository {}: webhook secret unreadable: {}", c.name(), e.getMessage());
      }
    }
    return out;
  }

  /** Syncs every repository now (start-up, tests); returns when they are done. */
  public void syncAllNow(String trigger) {
    for (RepoWatch w : repos.values()) {
      w.reconcileNow(trigger, Optional.empty());
    }
  }

  /** The watch of {@code repository}, for the scheduler's jobs. */
  void job(String name) {
    if (name.equals(IMAGE_GC_JOB)) {
      try {
        collectImages();
      } catch (ControllerException e) {
        LOG.warn("{} (retried at the next interval)", e.getMessage());
      }
    }
    if (name.startsWith("poll:")) {
      RepoWatch w = repos.get(name.substring(5));
      if (w != null) {
        w.poke("poll", null);
      }
    }
  }

  @Override
  public void close() {
    for (RepoWatch w : repos.values()) {
      w.close();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.debug("close {}: {}", resources.get(i), e.getMessage());
      }
    }
    store.close();
  }

  /** Closes {@code resource} when the controller closes (in reverse order of adding). */
  void closing(AutoCloseable resource) {
    resources.add(resource);
  }

  ControllerConfig config() {
    return config;
  }

  Clock clock() {
    return clock;
  }
}
