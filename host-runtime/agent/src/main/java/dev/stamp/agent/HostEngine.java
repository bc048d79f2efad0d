package dev.stamp.agent;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.ContainerState;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.container.LogReader;
import dev.stamp.runtime.container.MountSpec;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.network.lb.HealthStatus;
import dev.stamp.runtime.registry.ImagePuller;
import dev.stamp.runtime.registry.PullResult;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.RegistryConfig;
import dev.stamp.runtime.registry.TransferListener;
import dev.stamp.runtime.service.NotHealthyException;
import dev.stamp.runtime.service.ReplaceFailedException;
import dev.stamp.runtime.service.ReplaceOptions;
import dev.stamp.runtime.service.ServiceRecord;
import dev.stamp.runtime.service.ServiceState;
import dev.stamp.runtime.service.Services;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's engine on a real host: makes each desired service true with host-runtime's {@link
 * Services} — {@code run} the first time, observed once every replica is healthy ({@link
 * #awaitFirstHealthy}), {@link Services#replace} for every later generation (new replicas start
 * beside the old ones, become healthy, take the published port; the old ones drain and stop),
 * {@code remove} on delete — one service at a time per name, on a small pool. A failure is recorded
 * with the failing container's log tail; one that retrying can fix (FAILED) is retried with
 * exponential backoff, one that needs a person (BAD_INPUT, NOT_FOUND, CONFLICT) waits for the next
 * spec.
 */
public final class HostEngine implements ServiceEngine {

  private static final Logger LOG = LoggerFactory.getLogger(HostEngine.class);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  private final AgentConfig config;
  private final ContainerRuntime runtime;
  private final Services services;
  private final DesiredStore desired;
  private final JsonRecordDir<ObservedService> observed;
  private final SecretFiles secrets;
  private final EventLog events;
  private final AgentMetrics metrics;
  private final Clock clock;
  private final ScheduledExecutorService pool;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final Map<String, Thread> monitors = new ConcurrentHashMap<>();
  private final Map<String, ReplicaRestarts> restarts = new ConcurrentHashMap<>();

  /** How often the watch looks at every replica's status. */
  static final Duration WATCH_INTERVAL = Duration.ofMillis(500);

  /**
   * One replica's restart bookkeeping (by service name and index): replacements in a row, when the
   * next is due, when the last one took its place, and what was already reported about which dead
   * container (so the watch says it once).
   */
  private static final class ReplicaRestarts {
    int done;
    Instant due;
    Instant replacedAt;
    String reported;
  }

  /** One service's place in the pool: at most one reconcile running, at most one waiting. */
  private static final class Slot {
    boolean running;
    boolean again;
    int failures;
  }

  private HostEngine(
      AgentConfig config,
      ContainerRuntime runtime,
      DesiredStore desired,
      EventLog events,
      AgentMetrics metrics,
      Clock clock) {
    this.config = config;
    this.runtime = runtime;
    this.services = Services.open(config.root(), runtime);
    this.desired = desired;
    Path agentDir = config.root().path().resolve("agent");
    this.observed =
        new JsonRecordDir<>(
            agentDir.resolve("observed"),
            config.root().path().resolve("locks/agent-observed.lock"),
            ObservedService.class,
            ObservedService::name,
            "observed service");
    this.secrets = new SecretFiles(agentDir);
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.pool =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "agent-reconcile");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens the engine on {@code config}'s root: a long-lived runtime with standbys, the secrets
   * tmpfs, and a reconcile of every desired service (what a restarted agent finds on disk).
   */
  public static HostEngine open(AgentConfig config, EventLog events, AgentMetrics metrics)
      throws HostRuntimeException {
    ContainerRuntime runtime = ContainerRuntime.openLongLived(config.root(), 2);
    DesiredStore desired = new DesiredStore(config.root(), Clock.systemUTC());
    HostEngine engine =
        new HostEngine(config, runtime, desired, events, metrics, Clock.systemUTC());
    engine.secrets.mount();
    for (DesiredService d : desired.all()) {
      engine.desiredChanged(d.name());
    }
    engine.pool.scheduleWithFixedDelay(
        engine::watch, WATCH_INTERVAL.toMillis(), WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return engine;
  }

  DesiredStore desired() {
    return desired;
  }

  @Override
  public void desiredChanged(String name) {
    Slot slot = slots.computeIfAbsent(name, n -> new Slot());
    synchronized (slot) {
      if (slot.running) {
        slot.again = true;
        return;
      }
      slot.running = true;
    }
    pool.execute(() -> reconcileLoop(name, slot));
  }

  private void reconcileLoop(String name, Slot slot) {
    while (true) {
      Duration retryIn = null;
      try {
        reconcile(name);
        synchronized (slot) {
          slot.failures = 0;
        }
      } catch (HostRuntimeException e) {
        boolean retryable = e.kind() == StampException.Kind.FAILED;
        synchronized (slot) {
          slot.failures++;
          if (retryable) {
            long ms = Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(slot.failures, 10));
            retryIn = Duration.ofMillis(ms);
          }
        }
      } catch (RuntimeException e) {
        LOG.error("reconcile {}", name, e);
        retryIn = Duration.ofSeconds(5);
      }
      synchronized (slot) {
        if (slot.again) {
          slot.again = false;
          continue;
        }
        slot.running = false;
      }
      if (retryIn != null) {
        pool.schedule(() -> desiredChanged(name), retryIn.toMillis(), TimeUnit.MILLISECONDS);
      }
      return;
    }
  }

  /** One step towards the desired state of {@code name}. */
  void reconcile(String name) throws HostRuntimeException {
    Optional<DesiredService> want = desired.get(name);
    if (want.isEmpty()) {
      return;
    }
    DesiredService d = want.get();
    Optional<ObservedService> have = observed.read(name);
    Optional<ServiceRecord> record = serviceRecord(name);
    if (d.deleted()) {
      stopMonitor(name);
      if (record.isPresent()) {
        services.remove(name);
      }
      secrets.prune(name, -1);
      observed.delete(name);
      forgetRestarts(name);
      desired.forget(name, d.generation());
      events.add(name, "removed", d.generation(), "service removed");
      return;
    }
    if (record.isPresent() && record.get().state() == ServiceState.REPLACING) {
      recover(name, d, record.get());
      record = serviceRecord(name);
    }
    if (record.isPresent()
        && have.isPresent()
        && have.get().specDigest().equals(d.specDigest())
        && have.get().lastError() == null) {
      heal(name, d, record.get());
      int count = d.spec().replicaCount();
      if (services.inspect(name).containers().size() != count) { // one short after a recovery
        List<MountSpec> secretMounts = secrets.prepare(name, d.generation(), d.spec());
        stopMonitor(name);
        scale(name, d, ServiceTemplate.of(d.spec(), config.bindRoots(), secretMounts));
      }
      ensureMonitor(name);
      return;
    }
    if (have.isPresent()
        && have.get().lastError() != null
        && have.get().lastError().generation() == d.generation()
        && !have.get().lastError().retryable()) {
      return; // this generation needs a person; a new spec will wake us
    }
    Instant started = clock.instant();
    try {
      List<MountSpec> secretMounts = secrets.prepare(name, d.generation(), d.spec());
      ServiceTemplate t = ServiceTemplate.of(d.spec(), config.bindRoots(), secretMounts);
      ensureImage(d.spec().image());
      stopMonitor(name);
      String template = templateDigest(d.spec());
      if (record.isEmpty()) {
        events.add(
            name, "creating", d.generation(), t.replicas() + " replica(s) of " + d.spec().image());
        services.run(name, t.replicas(), t.fronts(), t.health(), t.container());
        if (!awaitFirstHealthy(name, d, t)) {
          return; // superseded and removed: the loop reconciles the newer desired state
        }
      } else {
        t.refusePortChange(name, record.get());
        boolean sameContainers =
            have.isPresent()
                && have.get().lastError() == null
                && template.equals(have.get().templateDigest());
        if (record.get().containers().size() > t.replicas()) {
          scale(name, d, t); // fewer first: none of them is replaced for nothing
        }
        if (sameContainers) {
          events.add(name, "scaling", d.generation(), "only replicas, restart or update changed");
        } else {
          events.add(name, "replacing", d.generation(), "replace with " + d.spec().image());
          services.replace(
              name,
              t.container(),
              t.health(),
              t.replace(),
              (batch, batches, replicas) ->
                  events.add(
                      name,
                      "batch",
                      d.generation(),
                      "batch " + batch + " of " + batches + ": replicas " + replicas));
        }
        if (services.inspect(name).containers().size() < t.replicas()) {
          scale(name, d, t);
        }
      }
      observed.write(new ObservedService(name, d.generation(), d.specDigest(), null, template));
      forgetRestarts(name); // fresh replicas: their counts start over
      secrets.prune(name, d.generation());
      metrics.replaced("ok", Duration.between(started, clock.instant()));
      events.add(name, "deployed", d.generation(), "generation " + d.generation() + " serving");
      ensureMonitor(name);
    } catch (ReplaceFailedException e) {
      fail(name, d, have, e, e.getMessage(), e.logTail(), started);
      ensureMonitor(name);
      throw e;
    } catch (NotHealthyException e) {
      fail(name, d, have, e, e.getMessage() + FIRST_RUN_REMOVED, e.logTail(), started);
      throw e;
    } catch (HostRuntimeException e) {
      fail(name, d, have, e, e.getMessage(), List.of(), started);
      if (serviceRecord(name).isPresent()) {
        ensureMonitor(name);
      }
      throw e;
    }
  }

  /**
   * A first run counts only once every replica is healthy, as a replace waits for each new one: the
   * service's monitor (the one that keeps the published backends to the healthy replicas) starts at
   * once, and {@link Services#awaitHealthy} waits for it to call each replica healthy, within the
   * check's own bounds (start period, then retries probes). Until then the status shows the
   * replicas {@code starting} and the generation not observed.
   *
   * <p>When a replica stops, is called unhealthy or is not healthy in time, the whole service is
   * removed (containers, published port, records) before the failure is recorded with that
   * replica's log tail. A first deploy has no older version to keep serving, and replicas that were
   * never healthy would hold the published port while the backends refuse every connection, keep
   * probing and using the host, and look half-deployed to whoever reads the status; removed, the
   * service is plainly {@code failed}, what {@link Services#run} already promises ("a failed run
   * leaves nothing"), and the retry (a FAILED error is retried with backoff, as a failed replace
   * is) or the next spec runs afresh instead of replacing containers that never worked.
   *
   * <p>A newer spec or a removal does not wait for the check's bounds: the wait stops, the replicas
   * are removed as well, and false says so (the reconcile loop then runs again for what is desired
   * now).
   */
  private boolean awaitFirstHealthy(String name, DesiredService d, ServiceTemplate t)
      throws HostRuntimeException {
    ensureMonitor(name);
    events.add(name, "health-wait", d.generation(), "waiting until every replica is healthy");
    try {
      if (services.awaitHealthy(name, t.replace(), () -> superseded(name, d.generation()))) {
        return true;
      }
    } catch (NotHealthyException e) { // not an interrupt (agent stopping): the replicas stay then
      removeFirstRun(name, e);
      throw e;
    }
    events.add(
        name,
        "superseded",
        d.generation(),
        "generation " + d.generation() + " was not healthy yet; its replicas are removed");
    removeFirstRun(name, null);
    return false;
  }

  /** Whether {@code generation} of {@code name} is no longer what is desired (newer, deleted). */
  private boolean superseded(String name, long generation) {
    try {
      Optional<DesiredService> now = desired.get(name);
      return now.isEmpty() || now.get().deleted() || now.get().generation() != generation;
    } catch (HostRuntimeException e) {
      return false; // unreadable now: keep waiting; the check's bounds still end the wait
    }
  }

  private void removeFirstRun(String name, HostRuntimeException failure)
      throws HostRuntimeException {
    stopMonitor(name);
    try {
      services.remove(name);
    } catch (HostRuntimeException | RuntimeException removal) {
      if (failure == null) {
        throw removal;
      }
      failure.addSuppressed(removal);
      LOG.warn("remove the unhealthy first run of {}: {}", name, removal.getMessage());
    }
  }

  /** What the failure of a first run says happened to its replicas. */
  private static final String FIRST_RUN_REMOVED =
      "; the first deploy's replicas were removed (there is no older version to keep serving)";

  /**
   * A replace that a killed agent left in flight (nothing of this process replaces {@code name}
   * now: reconciles of one name never overlap): finished or rolled back by {@link
   * Services#recover}, with the desired spec for a stop-first replica that was already retired. The
   * observed generation stays as it was, so the reconcile that follows replaces again when the
   * desired spec is not yet what serves.
   */
  private void recover(String name, DesiredService d, ServiceRecord record)
      throws HostRuntimeException {
    stopMonitor(name);
    String step =
        record.inFlight().isEmpty()
            ? "between batches"
            : String.join(
                ", ",
                record.inFlight().stream()
                    .map(r -> "replica " + r.replica() + " at step " + r.step().label())
                    .toList());
    events.add(name, "recovering", d.generation(), "replace killed in flight: " + step);
    Optional<ContainerSpec> spec = Optional.empty();
    ReplaceOptions options = ReplaceOptions.defaults();
    try {
      List<MountSpec> secretMounts = secrets.prepare(name, d.generation(), d.spec());
      ServiceTemplate t = ServiceTemplate.of(d.spec(), config.bindRoots(), secretMounts);
      spec = Optional.of(t.container());
      options = t.replace();
    } catch (HostRuntimeException e) {
      LOG.warn(
          "recover {}: the desired spec cannot be used ({}); recovering without it",
          name,
          e.getMessage());
    }
    ServiceRecord after = services.recover(name, spec, options);
    events.add(
        name,
        "recovered",
        d.generation(),
        after.containers().size() + " replica(s) serving, generation " + after.generation());
  }

  /**
   * The watch: every {@link #WATCH_INTERVAL}, each replica of each service that serves its desired
   * generation is looked at; one that exited is, by the service's {@link RestartPolicy}, left as it
   * is (said once), given up on (the service's last error says so; it waits for the next spec), or
   * scheduled for replacement after its backoff (an event says when), which the reconcile of the
   * service then does ({@link #heal}).
   */
  private void watch() {
    try {
      Instant now = clock.instant();
      for (DesiredService d : desired.all()) {
        if (d.deleted()) {
          continue;
        }
        Optional<ObservedService> have = observed.read(d.name());
        Optional<ServiceRecord> record = serviceRecord(d.name());
        if (record.isEmpty()
            || record.get().state() != ServiceState.RUNNING
            || have.isEmpty()
            || !have.get().specDigest().equals(d.specDigest())
            || have.get().lastError() != null) {
          continue; // not up to date: the reconcile in progress or to come owns it
        }
        RestartPolicy policy = RestartPolicy.parse(d.spec().restart());
        boolean wake = false;
        List<String> ids = record.get().containers();
        for (int i = 1; i <= ids.size(); i++) {
          String id = ids.get(i - 1);
          ReplicaRestarts r =
              restarts.computeIfAbsent(key(d.name(), i), k -> new ReplicaRestarts());
          ContainerState state;
          try {
            state = runtime.state(id);
          } catch (HostRuntimeException e) {
            state = null; // gone: as dead as an exited one
          }
          boolean up =
              state != null
                  && (state.status() == ContainerStatus.RUNNING
                      || state.status() == ContainerStatus.STARTING);
          synchronized (r) {
            if (up) {
              if (r.done > 0
                  && r.replacedAt != null
                  && Duration.between(r.replacedAt, now).compareTo(RestartPolicy.RESET_AFTER)
                      >= 0) {
                r.done = 0; // it has run long enough: the next failure starts over
              }
              continue;
            }
            int code = state == null ? -1 : state.exitCode().orElse(-1);
            String what =
                "replica "
                    + i
                    + " ("
                    + id.substring(0, 12)
                    + ") "
                    + (state == null
                        ? "is gone"
                        : state.status().label() + (code >= 0 ? " with code " + code : ""));
            if (!policy.replaces(code)) {
              if (!id.equals(r.reported)) {
                r.reported = id;
                events.add(
                    d.name(),
                    "exited",
                    d.generation(),
                    what + "; restart policy " + policy.label() + ": left as it is");
              }
            } else if (policy.exhausted(r.done)) {
              if (!id.equals(r.reported)) {
                r.reported = id;
                giveUp(d, have.get(), what, policy, r.done);
              }
            } else if (r.due == null) {
              Duration wait = RestartPolicy.backoff(r.done);
              r.due = now.plus(wait);
              r.reported = id;
              events.add(
                  d.name(),
                  "backoff",
                  d.generation(),
                  what
                      + "; replacing it in "
                      + wait.toMillis()
                      + " ms (attempt "
                      + (r.done + 1)
                      + ", restart policy "
                      + policy.label()
                      + ")");
            } else if (!now.isBefore(r.due)) {
              wake = true;
            }
          }
        }
        if (wake) {
          desiredChanged(d.name());
        }
      }
    } catch (HostRuntimeException | RuntimeException e) {
      LOG.warn("watch replicas: {}", e.getMessage());
    }
  }

  /** on-failure:N used up: the service's last error says so, not retried until the next spec. */
  private void giveUp(
      DesiredService d, ObservedService have, String what, RestartPolicy policy, int done) {
    String message =
        what
            + "; restart policy "
            + policy.label()
            + " gave up after "
            + done
            + " replacement(s); a new spec starts over";
    ServiceStatus.LastError error =
        new ServiceStatus.LastError(
            d.generation(), message, List.of(), clock.instant().toString(), false);
    try {
      observed.write(have.failed(error));
    } catch (HostRuntimeException e) {
      LOG.warn("record giving up on {}: {}", d.name(), e.getMessage());
    }
    events.add(d.name(), "gave-up", d.generation(), message);
    LOG.warn("service {}: {}", d.name(), message);
  }

  /**
   * Replaces each replica whose backoff is over with a fresh container of the service's spec
   * ({@link Services#replaceReplica}); a failed attempt counts, and the watch schedules the next.
   */
  private void heal(String name, DesiredService d, ServiceRecord record)
      throws HostRuntimeException {
    Instant now = clock.instant();
    ServiceTemplate t = null;
    for (int i = 1; i <= record.containers().size(); i++) {
      ReplicaRestarts r = restarts.get(key(name, i));
      if (r == null) {
        continue;
      }
      boolean up;
      try {
        ContainerStatus status = runtime.status(record.containers().get(i - 1));
        up = status == ContainerStatus.RUNNING || status == ContainerStatus.STARTING;
      } catch (HostRuntimeException e) {
        up = false;
      }
      synchronized (r) {
        if (r.due == null || now.isBefore(r.due)) {
          continue;
        }
        r.due = null;
        if (up) {
          continue; // another container holds the place by now: nothing to replace
        }
        r.done++;
      }
      if (t == null) {
        List<MountSpec> secretMounts = secrets.prepare(name, d.generation(), d.spec());
        t = ServiceTemplate.of(d.spec(), config.bindRoots(), secretMounts);
      }
      stopMonitor(name);
      events.add(
          name,
          "restarting",
          d.generation(),
          "replacing replica " + i + " (attempt " + r.done + ")");
      try {
        ServiceRecord after = services.replaceReplica(name, i, t.container(), t.replace());
        synchronized (r) {
          r.replacedAt = clock.instant();
          r.reported = null;
        }
        events.add(
            name,
            "replaced",
            d.generation(),
            "replica " + i + " is now " + after.containers().get(i - 1).substring(0, 12));
      } catch (HostRuntimeException e) {
        events.add(name, "restart-failed", d.generation(), e.getMessage());
        LOG.warn("service {}: {}", name, e.getMessage());
        if (e.kind() != StampException.Kind.FAILED) {
          throw e;
        }
      }
    }
  }

  /** To the desired count: new replicas of the spec added when healthy, surplus ones removed. */
  private void scale(String name, DesiredService d, ServiceTemplate t) throws HostRuntimeException {
    int from = services.inspect(name).containers().size();
    events.add(name, "scaling", d.generation(), from + " -> " + t.replicas() + " replica(s)");
    services.scale(name, t.replicas(), t.container(), t.replace());
  }

  /**
   * The digest of what the containers are made from: the spec without {@code replicas}, {@code
   * restart} and {@code update}, which change how many there are and how the agent treats them, not
   * what one is; equal digests: no replace.
   */
  static String templateDigest(ServiceSpec s) throws HostRuntimeException {
    return DesiredStore.digest(s.withReplicas(null).withUpdate(null).withRestart(null));
  }

  private void forgetRestarts(String name) {
    restarts.keySet().removeIf(k -> k.startsWith(name + "#"));
  }

  private static String key(String name, int index) {
    return name + "#" + index;
  }

  private void fail(
      String name,
      DesiredService d,
      Optional<ObservedService> have,
      HostRuntimeException e,
      String message,
      List<String> logTail,
      Instant started) {
    boolean retryable = e.kind() == StampException.Kind.FAILED;
    ServiceStatus.LastError error =
        new ServiceStatus.LastError(
            d.generation(), message, logTail, clock.instant().toString(), retryable);
    ObservedService base = have.orElse(new ObservedService(name, 0, "", null, null));
    try {
      observed.write(base.failed(error));
    } catch (HostRuntimeException written) {
      LOG.warn("record the failure of {}: {}", name, written.getMessage());
    }
    metrics.replaced("failed", Duration.between(started, clock.instant()));
    events.add(name, "failed", d.generation(), message);
    LOG.warn("service {} generation {}: {}", name, d.generation(), message);
  }

  /** The image must be in the store; by digest, from its registry when it names one. */
  private void ensureImage(String image) throws HostRuntimeException {
    try {
      ImageStore.open(config.root()).resolve(image);
      return;
    } catch (HostRuntimeException e) {
      if (e.kind() != StampException.Kind.NOT_FOUND) {
        throw e;
      }
      if (!image.contains("@")) {
        throw HostRuntimeException.notFound(
            "image " + image + ": not in this host's store, and it names no registry to pull from");
      }
    }
    pull(image);
  }

  @Override
  public String pull(String image) throws HostRuntimeException {
    ImageReference ref = ImageReference.parse(image);
    PullResult result =
        new ImagePuller(
                new Registries(RegistryConfig.load(config.root()), config.registryCredentials()),
                ImageStore.open(config.root()))
            .pull(ref, TransferListener.NONE);
    return result.remoteDigest().toString();
  }

  private Optional<ServiceRecord> serviceRecord(String name) throws HostRuntimeException {
    try {
      return Optional.of(services.inspect(name));
    } catch (HostRuntimeException e) {
      if (e.kind() == StampException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Keeps the service's backends to its healthy replicas, on a thread of its own. */
  private void ensureMonitor(String name) {
    monitors.compute(
        name,
        (n, old) -> {
          if (old != null && old.isAlive()) {
            return old;
          }
          Thread t =
              new Thread(
                  () -> {
                    try {
                      services.monitor(
                          n,
                          tr -> {
                            if (tr.to() != null && tr.to().name().equals("UNHEALTHY")) {
                              metrics.probeFailed(n);
                            }
                            events.add(
                                n,
                                "health",
                                0,
                                tr.backend().endpoint() + " " + tr.from() + " -> " + tr.to());
                          });
                    } catch (HostRuntimeException e) {
                      LOG.debug("monitor of {} ended: {}", n, e.getMessage());
                    }
                  },
                  "agent-monitor-" + n);
          t.setDaemon(true);
          t.start();
          return t;
        });
  }

  private void stopMonitor(String name) {
    Thread t = monitors.remove(name);
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public ServiceStatus observe(DesiredService d) throws HostRuntimeException {
    Optional<ObservedService> have = observed.read(d.name());
    Optional<ServiceRecord> record = serviceRecord(d.name());
    List<ServiceStatus.Replica> replicas = new ArrayList<>();
    if (record.isPresent()) {
      boolean checked =
          record.get().health() == null
              || record.get().health().over(Services.DEFAULT_HEALTH).kind()
                  != HealthCheck.Kind.NONE;
      Map<String, HealthStatus> health = checked ? replicaHealth(d.name()) : Map.of();
      int index = 1;
      for (String id : record.get().containers()) {
        String state;
        String startedAt = null;
        String image = record.get().image();
        dev.stamp.runtime.container.Drift drift = null;
        try {
          state = runtime.status(id).name().toLowerCase(java.util.Locale.ROOT);
          drift = runtime.drift(id);
        } catch (HostRuntimeException e) {
          state = "missing";
        }
        replicas.add(
            new ServiceStatus.Replica(
                index++,
                id,
                image,
                state,
                health(checked, state, health.get(id)),
                drift != null && drift.drifted(),
                drift != null && drift.drifted() ? drift.paths() : null,
                startedAt,
                drift != null && drift.truncated() ? Boolean.TRUE : null,
                drift == null ? null : drift.execAt().map(Object::toString).orElse(null)));
      }
    }
    long observedGeneration = have.map(ObservedService::generation).orElse(0L);
    String state;
    if (d.deleted()) {
      state = "deleting";
    } else if (have.isPresent()
        && have.get().lastError() != null
        && have.get().lastError().generation() == d.generation()) {
      // degraded: an older generation still serves; failed: nothing of this service ever did
      state = record.isPresent() && observedGeneration > 0 ? "degraded" : "failed";
    } else if (observedGeneration == d.generation() && record.isPresent()) {
      state = "running";
    } else {
      state = "progressing";
    }
    ServiceStatus.Replace replace = null;
    return new ServiceStatus(
        d.name(),
        d.generation(),
        observedGeneration,
        state,
        d.specDigest(),
        replicas,
        replace,
        have.map(ObservedService::lastError).orElse(null));
  }

  /**
   * A replica's {@code health} on the wire: {@code none} without a check (NONE); else what the
   * service's monitor last called it (the health the published backends follow); {@code starting}
   * while the monitor has not judged a replica yet (one just created too); {@code unhealthy} for
   * one that exited, died or is gone, whatever was last judged.
   */
  private static String health(boolean checked, String state, HealthStatus judged) {
    if (!checked) {
      return "none";
    }
    if (DOWN.contains(state)) {
      return "unhealthy";
    }
    return (judged == null ? HealthStatus.STARTING : judged)
        .name()
        .toLowerCase(java.util.Locale.ROOT);
  }

  /** Replica states that cannot serve: their health is {@code unhealthy}. */
  private static final java.util.Set<String> DOWN =
      java.util.Set.of("exited", "dead", "removed", "missing");

  private Map<String, HealthStatus> replicaHealth(String name) {
    try {
      return services.replicaHealth(name);
    } catch (HostRuntimeException e) {
      return Map.of(); // removed meanwhile: nothing judged
    }
  }

  @Override
  public List<CheckProblem> check(String name, dev.stamp.agent.api.ServiceSpec spec)
      throws HostRuntimeException {
    return SpecChecks.check(
        config.root(), config.bindRoots(), config.registryCredentials(), name, spec, desired.all());
  }

  @Override
  public LogStream logs(String ref, boolean follow) throws HostRuntimeException {
    String id = runtime.resolve(ref);
    boolean ours = false;
    for (DesiredService d : desired.all()) {
      Optional<ServiceRecord> r = serviceRecord(d.name());
      if (r.isPresent() && r.get().containers().contains(id)) {
        ours = true;
      }
    }
    if (!ours) {
      throw HostRuntimeException.notFound(
          "container " + ref + ": not a container of this agent's services");
    }
    LogReader reader = runtime.logs(id);
    return out -> {
      try {
        reader.copyTo(out, out, follow, false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Override
  public void close() {
    pool.shutdownNow();
    for (String name : List.copyOf(monitors.keySet())) {
      stopMonitor(name);
    }
    runtime.closeStandbys();
  }
}
