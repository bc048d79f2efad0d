package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.ContainerState;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.fs.LockFile;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.linux.ProcessWatch;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.network.lb.Backend;
import dev.stamp.runtime.network.lb.HealthListener;
import dev.stamp.runtime.network.lb.HealthMonitor;
import dev.stamp.runtime.network.lb.HealthProbe;
import dev.stamp.runtime.network.lb.HealthState;
import dev.stamp.runtime.network.lb.HealthStatus;
import dev.stamp.runtime.network.lb.ServiceEndpoint;
import dev.stamp.runtime.network.lb.ServiceLoadBalancer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Replicated services on one host: {@code N} containers of one spec (named {@code NAME-1..N})
 * behind their published ports (none, one or several, switched together), balanced in the kernel by
 * {@link ServiceLoadBalancer} and kept to the healthy replicas by a {@link HealthMonitor} ({@link
 * #monitor}: in this process for a long-lived one like the agent, or in a process of its own for
 * the CLI's {@code -d}).
 *
 * <p>Layout under the root: {@code services/NAME.json} (the {@link ServiceRecord}), {@code
 * services/NAME.health} (each replica's health as the monitor last saw it: a line {@code
 * ADDRESS:PORT STATUS CONTAINER [LAST PROBE OUTPUT]} per replica), {@code services/lock}. A failed
 * {@link #run} leaves nothing; {@link #remove} undoes whatever a killed run or remove left.
 */
public final class Services {

  public static final int MAX_REPLICAS = 64;

  /**
   * What a service's check falls back to where neither its own nor the image's says: a TCP connect
   * every 5 s, 2 s to answer, 3 failures in a row make a replica unhealthy.
   */
  public static final HealthCheck DEFAULT_HEALTH =
      HealthCheck.tcp()
          .withInterval(Duration.ofSeconds(5))
          .withTimeout(Duration.ofSeconds(2))
          .withRetries(HealthCheck.DEFAULT_RETRIES);

  /** How often {@link #monitor} looks at the record and {@link #awaitHealthy} at the health. */
  static final Duration MONITOR_TICK = Duration.ofMillis(250);

  private final StampRoot root;
  private final Path dir;
  private final JsonRecordDir<ServiceRecord> records;
  private final ContainerRuntime runtime;
  private final ServiceLoadBalancer lb;

  private Services(StampRoot root, ContainerRuntime runtime, ServiceLoadBalancer lb) {
    this.root = root;
    Path dir = root.path().resolve("services");
    this.dir = dir;
    this.records =
        new JsonRecordDir<>(
            dir, dir.resolve("lock"), ServiceRecord.class, ServiceRecord::name, "service");
    this.runtime = runtime;
    this.lb = lb;
  }

  /** The services of {@code root}, whose replicas run in {@code runtime} (of the same root). */
  public static Services open(StampRoot root, ContainerRuntime runtime) {
    return new Services(root, runtime, ServiceLoadBalancer.open(root));
  }

  /**
   * Starts {@code replicas} containers of {@code template} (each named {@code NAME-i}) on its
   * bridge network and publishes {@code front} balanced over them: {@link #run(String, int, List,
   * HealthCheck, ContainerSpec)} with one published port.
   */
  public ServiceRecord run(
      String name, int replicas, PortMapping front, HealthCheck health, ContainerSpec template)
      throws HostRuntimeException {
    return run(name, replicas, java.util.Collections.singletonList(front), health, template);
  }

  /**
   * Starts {@code replicas} containers of {@code template} (each named {@code NAME-i}) on its
   * bridge network and publishes each of {@code fronts} balanced over them, all switched together
   * (none: the replicas are reached only on their network, and nothing is published). {@code
   * health} is merged over the image's HEALTHCHECK (an empty test: the image's; {@code NONE}: no
   * checking), then over {@link #DEFAULT_HEALTH} (without fronts: over no checking, as Docker has
   * it); the record holds the check in effect, whose TCP or HTTP probe goes to the container port
   * it names, else to the first front's target. BAD_INPUT for a bad name, count, template or health
   * check (a TCP or HTTP check naming no port, of a service without fronts), or a host port given
   * twice; CONFLICT for a service, container name or host port already in use. Any failure removes
   * what was made.
   */
  public ServiceRecord run(
      String name,
      int replicas,
      List<PortMapping> fronts,
      HealthCheck health,
      ContainerSpec template)
      throws HostRuntimeException {
    String action = "run service " + name;
    checkRequest(action, name, replicas, template);
    health.check("health check");
    checkHealthTarget(action, fronts, health);
    ServiceRecord record = reserve(action, name, replicas, fronts, health, template);
    try {
      for (int i = 1; i <= replicas; i++) {
        String id = runtime.create(template.withName(ServiceRecord.replicaName(name, i)));
        record = record.withContainer(id);
        write(record);
        runtime.start(id, false).close();
      }
      HealthCheck effective = effectiveHealth(health, template, fronts);
      checkHealthTarget(action, fronts, effective); // the image's own check counts too
      record = record.withHealth(effective);
      write(record);
      ServiceEndpoint endpoint = lb.publish(name, fronts, backends(action, record));
      record = record.withFronts(endpoint.fronts()).moveTo(action, ServiceState.RUNNING);
      write(record);
      return record;
    } catch (HostRuntimeException | RuntimeException e) {
      removeAfterFailure(name, e);
      throw e;
    }
  }

  /**
   * Replaces every replica of the running service {@code name} with a container of {@code spec},
   * {@code options.parallelism()} at a time (one by default), behind the same published port, each
   * new container gated by the service's current check (see {@link #replace(String, ContainerSpec,
   * HealthCheck, ReplaceOptions, ReplaceProgress)} for a new one; {@link ServiceReplacer}):
   * start-first by default (the new one starts beside the old, becomes healthy, takes the old one's
   * place in the backends atomically; the old one is drained, stopped and removed), or stop-first.
   * Returns the record afterwards. {@link ReplaceFailedException} (with the new container's log
   * tail) when a new replica fails to start or to become healthy: it is removed, the old one keeps
   * serving. BAD_INPUT for a bad spec; NOT_FOUND without the service; {@link
   * dev.stamp.runtime.StateTransitionException} unless it is running (one replace at a time). The
   * replace in flight is in the record ({@link ReplaceRecord}) before each step acts; a failure
   * after the switch (retiring the old replica) or of stop-first's first retire is thrown as it is
   * and leaves the service {@code replacing} with that step recorded, for recovery.
   */
  public ServiceRecord replace(String name, ContainerSpec spec, ReplaceOptions options)
      throws HostRuntimeException {
    String action = "replace service " + name;
    checkRequest(action, name, 1, spec);
    return new ServiceReplacer(records, runtime, lb)
        .replace(name, spec, null, options, ReplaceProgress.NONE);
  }

  /**
   * As {@link #replace(String, ContainerSpec, ReplaceOptions)}, with the new spec's health check:
   * {@code health} is merged over the new image's HEALTHCHECK and {@link #DEFAULT_HEALTH} as {@link
   * #run} merges it; that check gates every new container (not the service's old one) and is the
   * record's once every replica is replaced. {@code options.parallelism()} replicas are replaced at
   * a time, each batch told to {@code progress} as it starts. BAD_INPUT for a bad check (a TCP or
   * HTTP check naming no port, of a service without published ports).
   */
  public ServiceRecord replace(
      String name,
      ContainerSpec spec,
      HealthCheck health,
      ReplaceOptions options,
      ReplaceProgress progress)
      throws HostRuntimeException {
    String action = "replace service " + name;
    checkRequest(action, name, 1, spec);
    health.check("health check");
    ServiceRecord record = require(action, name);
    HealthCheck effective = effectiveHealth(health, spec, record.fronts());
    checkHealthTarget(action, record.fronts(), effective);
    return new ServiceReplacer(records, runtime, lb)
        .replace(name, spec, effective, options, progress);
  }

  /**
   * Finishes or rolls back a replace killed in flight, from the step its record names last ({@link
   * ReplaceRecord} has the rules): afterwards the service is {@code running}, one container serves
   * for each recorded replica, the backends are theirs, and no new or old container of the
   * interrupted step is left. {@code spec} (the spec the replace was making, if known) re-creates a
   * stop-first replica that was already retired; without it that replica is dropped from the
   * record. Returns the record as it is afterwards; a service that is not {@code replacing} is
   * returned unchanged. Call it only where no replace of {@code name} can still be running (the
   * agent, on start, before it reconciles). NOT_FOUND without the service; a {@link
   * ReplaceFailedException} (FAILED, retrying can help) when a re-created replica does not become
   * healthy, the record then still names the step, so recovering again starts over.
   */
  public ServiceRecord recover(String name, Optional<ContainerSpec> spec, ReplaceOptions options)
      throws HostRuntimeException {
    String action = "recover service " + name;
    if (spec.isPresent()) {
      checkRequest(action, name, 1, spec.get());
    }
    require(action, name); // checks the name too
    return new ServiceReplacer(records, runtime, lb).recover(name, spec, options);
  }

  /**
   * Replaces replica {@code index} (1-based) of the running service {@code name} with a fresh
   * container of {@code spec} (the spec the service runs): what a restart policy does with a
   * replica that exited — never a restart in place. The old one leaves the backends at once, the
   * new one starts, becomes healthy and takes its place; then the old one is stopped and removed.
   * {@link ReplaceFailedException} (FAILED, retrying can help) when the new one fails: it is
   * removed, the old one stays recorded. BAD_INPUT for a bad spec or index; NOT_FOUND without the
   * service; {@link dev.stamp.runtime.StateTransitionException} unless it is running.
   */
  public ServiceRecord replaceReplica(
      String name, int index, ContainerSpec spec, ReplaceOptions options)
      throws HostRuntimeException {
    checkRequest("replace replica of service " + name, name, 1, spec);
    return new ServiceReplacer(records, runtime, lb).replaceReplica(name, index, spec, options);
  }

  /**
   * Changes the number of replicas of the running service {@code name} to {@code replicas}, without
   * touching the others: scaling up starts new containers of {@code spec} (the spec the service
   * runs) one at a time and adds each to the backends once it is healthy; scaling down takes the
   * last ones out of the backends, drains, stops and removes them. Each step is recorded first, as
   * a replace's are, so {@link #recover} handles a scale killed in flight. {@link
   * ReplaceFailedException} when a new replica fails (it is removed; those added before stay).
   * BAD_INPUT for a bad count or spec; NOT_FOUND without the service; {@link
   * dev.stamp.runtime.StateTransitionException} unless it is running.
   */
  public ServiceRecord scale(String name, int replicas, ContainerSpec spec, ReplaceOptions options)
      throws HostRuntimeException {
    String action = "scale service " + name;
    checkRequest(action, name, replicas, spec);
    return new ServiceReplacer(records, runtime, lb).scale(name, replicas, spec, options);
  }

  /** Records the process running {@link #monitor} for the service, so remove can stop it. */
  public void recordMonitor(String name, ProcessId monitor) throws HostRuntimeException {
    ServiceRecord record = require("record monitor of service " + name, name);
    write(record.withMonitor(monitor));
  }

  /**
   * Health-checks the replicas and keeps the published backends to the healthy ones until the
   * service is removed (or this thread is interrupted), writing each replica's health to {@code
   * services/NAME.health} whenever it changes (what {@link #replicaHealth} and {@link
   * #awaitHealthy} read). Blocks. Re-reads the record every {@link #MONITOR_TICK} (or interval, if
   * shorter): while it is {@code replacing} the monitor pauses (the replace owns the backends), and
   * when the replicas have changed it starts over on the published backends.
   */
  public void monitor(String name, HealthListener listener) throws HostRuntimeException {
    String action = "monitor service " + name;
    ServiceRecord record = require(action, name);
    if (record.state() != ServiceState.RUNNING && record.state() != ServiceState.REPLACING) {
      throw HostRuntimeException.conflict(action + ": it is " + record.state().label());
    }
    Duration interval = record.health().over(DEFAULT_HEALTH).interval();
    Duration tick = interval.compareTo(MONITOR_TICK) < 0 ? interval : MONITOR_TICK;
    HealthMonitor monitor = null;
    List<String> watched = null;
    Map<String, String> byAddress = Map.of();
    String written = null;
    try {
      while (true) {
        Optional<ServiceRecord> now = read(name);
        if (now.isEmpty()
            || (now.get().state() != ServiceState.RUNNING
                && now.get().state() != ServiceState.REPLACING)) {
          return;
        }
        if (now.get().state() == ServiceState.REPLACING) {
          if (monitor != null) {
            monitor.close(); // the backends stay as they are; the replace changes them
            monitor = null;
            watched = null;
          }
        } else if (monitor == null || !now.get().containers().equals(watched)) {
          if (monitor != null) {
            monitor.close();
          }
          HealthCheck check = now.get().health().over(DEFAULT_HEALTH);
          byAddress = containersByAddress(now.get());
          HealthProbe probe = ExecProbe.forCheck(check, execIn(byAddress));
          monitor = HealthMonitor.start(lb, name, check, probe, listener);
          watched = now.get().containers();
        }
        if (monitor != null) {
          String text = healthText(monitor.states(), byAddress);
          if (!text.equals(written)) {
            writeHealth(name, text);
            written = text;
          }
        }
        if (!sleep(tick)) {
          return;
        }
      }
    } finally {
      if (monitor != null) {
        monitor.close();
      }
    }
  }

  /**
   * Each replica's health by container id, as the service's health monitor ({@link #monitor}, in
   * any process) last wrote it: the health the published backends follow. A replica the monitor has
   * not judged yet (just started, or no monitor ran since it was made) is absent; with a {@code
   * NONE} check every judged replica is HEALTHY. The file may be older than the record (a monitor
   * that stopped): ids that are no longer replicas are left out. NOT_FOUND without the service.
   */
  public Map<String, HealthStatus> replicaHealth(String name) throws HostRuntimeException {
    ServiceRecord record = require("read the health of service " + name, name);
    Map<String, HealthStatus> health = new LinkedHashMap<>();
    for (HealthLine line : readHealthLines(name)) {
      if (line.container() != null && record.containers().contains(line.container())) {
        health.put(line.container(), line.status());
      }
    }
    return health;
  }

  /**
   * Waits until the health monitor of the running service {@code name} ({@link #monitor}, which
   * must run meanwhile, in any process) calls every replica healthy: what makes a first {@link
   * #run} deployed, as a replace waits for each new replica. Returns at once for a {@code NONE}
   * check. Patience: {@code options}' health timeout, else the check's own bound (its start period,
   * then retries probes, and 30 s more: {@link ReplaceOptions}), as a replace has. {@link
   * NotHealthyException} (FAILED, retrying can help), with that replica's log tail, when a replica
   * stops running, is called unhealthy, or is not healthy in time; the replicas are left as they
   * are. NOT_FOUND without the service (removed meanwhile); CONFLICT unless it is running.
   */
  public void awaitHealthy(String name, ReplaceOptions options) throws HostRuntimeException {
    awaitHealthy(name, options, () -> false);
  }

  /**
   * As {@link #awaitHealthy(String, ReplaceOptions)}, asking {@code stop} before every look: false
   * as soon as it says so (the caller no longer wants the wait: a newer spec, a removal), true once
   * every replica is healthy.
   */
  public boolean awaitHealthy(String name, ReplaceOptions options, BooleanSupplier stop)
      throws HostRuntimeException {
    String action = "wait until service " + name + " is healthy";
    options.validate(action);
    ServiceRecord record = require(action, name);
    HealthCheck check = record.health().over(DEFAULT_HEALTH);
    if (check.kind() == HealthCheck.Kind.NONE) {
      return true; // no health check: running is ready, as Docker has it
    }
    Duration patience = options.healthPatience(check);
    long deadline = System.nanoTime() + patience.toNanos();
    Duration tick = check.interval().compareTo(MONITOR_TICK) < 0 ? check.interval() : MONITOR_TICK;
    while (true) {
      if (stop.getAsBoolean()) {
        return false;
      }
      record = require(action, name);
      if (record.state() != ServiceState.RUNNING) {
        throw HostRuntimeException.conflict(action + ": it is " + record.state().label());
      }
      Map<String, HealthLine> judged = new LinkedHashMap<>();
      for (HealthLine line : readHealthLines(name)) {
        if (line.container() != null) {
          judged.put(line.container(), line);
        }
      }
      boolean late = System.nanoTime() > deadline;
      int pending = 0;
      for (int i = 1; i <= record.containers().size(); i++) {
        String id = record.containers().get(i - 1);
        String dead = notRunning(id);
        if (dead != null) {
          throw notHealthy(action, name, i, id, dead + " before it was healthy");
        }
        HealthLine line = judged.get(id);
        HealthStatus status = line == null ? HealthStatus.STARTING : line.status();
        if (status == HealthStatus.UNHEALTHY) {
          throw notHealthy(
              action, name, i, id, "is unhealthy (" + check.describe() + line.output() + ")");
        }
        if (status != HealthStatus.HEALTHY) {
          pending++;
          if (late) {
            throw notHealthy(
                action,
                name,
                i,
                id,
                "was not healthy within "
                    + patience.toMillis()
                    + " ms (still starting: "
                    + check.describe()
                    + (line == null ? ", never probed by the service's monitor" : line.output())
                    + ")");
          }
        }
      }
      if (pending == 0) {
        return true;
      }
      if (!sleep(tick)) {
        throw HostRuntimeException.failed(action + ": interrupted");
      }
    }
  }

  /** Every service with a record, by name. */
  public List<ServiceInfo> list() throws HostRuntimeException {
    List<ServiceInfo> infos = new ArrayList<>();
    for (String name : records.keys()) {
      Optional<ServiceRecord> record = read(name);
      if (record.isPresent()) {
        boolean monitorRunning = record.get().monitor().map(ProcessId::isAlive).orElse(false);
        infos.add(
            new ServiceInfo(
                record.get(), monitorRunning, monitorRunning ? readHealth(name) : Map.of()));
      }
    }
    return infos;
  }

  /** The service {@code name}. NOT_FOUND when there is none. */
  public ServiceRecord inspect(String name) throws HostRuntimeException {
    return require("inspect service " + name, name);
  }

  /**
   * Stops the monitor, unpublishes the front, removes every replica, deletes the record: whatever a
   * killed run or remove left. NOT_FOUND when the service has no state at all.
   */
  public void remove(String name) throws HostRuntimeException {
    remove(name, true);
  }

  /**
   * {@code byName}: also remove containers called {@code NAME-i} that the record does not list (a
   * run killed between creating a replica and recording it). Not after a failed run of this
   * process: there a {@code NAME-i} is a container someone else made.
   */
  private void remove(String name, boolean byName) throws HostRuntimeException {
    String action = "remove service " + name;
    Optional<ServiceRecord> record = read(name);
    boolean published = lb.servicesWithState().contains(name);
    if (record.isEmpty() && !published) {
      throw HostRuntimeException.notFound(action + ": no such service");
    }
    if (record.isPresent()) {
      write(record.get().moveTo(action, ServiceState.REMOVING));
      record.get().monitor().ifPresent(Services::stopMonitor);
    }
    lb.unpublish(name);
    for (String container : replicaRefs(name, record, byName)) {
      ServiceReplacer.removeContainer(runtime, container);
    }
    try {
      Files.deleteIfExists(dir.resolve(name + ".health"));
      Files.deleteIfExists(dir.resolve(name + ".log"));
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
    records.delete(name);
  }

  // --- steps ---

  private static void checkRequest(String action, String name, int replicas, ContainerSpec spec)
      throws HostRuntimeException {
    if (name == null || !ServiceLoadBalancer.SERVICE_NAME.matcher(name).matches()) {
      throw HostRuntimeException.badInput(
          action + ": expected a name of 1-63 letters, digits, '_', '.', '-'");
    }
    if (replicas < 1 || replicas > MAX_REPLICAS) {
      throw HostRuntimeException.badInput(
          action + ": --replicas " + replicas + " is out of range (1-" + MAX_REPLICAS + ")");
    }
    if (spec.network().isPresent() && !(spec.network().get() instanceof NetworkMode.Bridge)) {
      throw HostRuntimeException.badInput(action + ": replicas need a bridge network");
    }
    if (!spec.ports().isEmpty() || spec.publishAll()) {
      throw HostRuntimeException.badInput(
          action + ": replicas publish no ports of their own; -p gives the service's ports");
    }
    if (spec.name().isPresent() || spec.autoRemove()) {
      throw HostRuntimeException.badInput(
          action + ": replicas are named NAME-1..NAME-N and kept until the service is removed");
    }
  }

  /**
   * A check probed from the host (TCP, HTTP) goes to the port it names, else to the first front's
   * target: BAD_INPUT for one naming no port when there is no front ({@code CMD}, {@code CMD-SHELL}
   * and {@code NONE} need none).
   */
  private static void checkHealthTarget(String action, List<PortMapping> fronts, HealthCheck check)
      throws HostRuntimeException {
    HealthCheck.Kind kind = check.kind();
    if (fronts.isEmpty()
        && (kind == HealthCheck.Kind.TCP || kind == HealthCheck.Kind.HTTP)
        && check.port().isEmpty()) {
      throw HostRuntimeException.badInput(
          action
              + ": health check "
              + check.describe()
              + " probes the first published port's target, but the service publishes none;"
              + " name the container port in the check, give a CMD or CMD-SHELL check (run"
              + " inside the replica) or NONE, or publish a port");
    }
  }

  /** Under the lock: refuse an existing service, write the intent. */
  private ServiceRecord reserve(
      String action,
      String name,
      int replicas,
      List<PortMapping> fronts,
      HealthCheck health,
      ContainerSpec template)
      throws HostRuntimeException {
    try (LockFile.Held lock = records.lock()) {
      if (read(name).isPresent() || lb.servicesWithState().contains(name)) {
        throw HostRuntimeException.conflict(
            action + ": a service called " + name + " exists (stamp service rm " + name + ")");
      }
      for (int i = 1; i <= replicas; i++) {
        Optional<String> taken = runtime.idOfName(ServiceRecord.replicaName(name, i));
        if (taken.isPresent()) {
          throw HostRuntimeException.conflict(
              action
                  + ": container name "
                  + ServiceRecord.replicaName(name, i)
                  + " is already in use by container "
                  + taken.get().substring(0, Math.min(12, taken.get().length())));
        }
      }
      String image = template.image().orElse(template.rootfs().map(Path::toString).orElse("?"));
      ServiceRecord record = ServiceRecord.creating(name, replicas, image, fronts, health);
      write(record);
      return record;
    }
  }

  /**
   * The check in effect: {@code given} over the image's HEALTHCHECK (Docker's merge: an empty test
   * and unset timings are the image's), over {@link #DEFAULT_HEALTH}; without fronts over no
   * checking instead (a TCP connect needs a port), with the default's timings.
   */
  private HealthCheck effectiveHealth(
      HealthCheck given, ContainerSpec template, List<PortMapping> fronts)
      throws HostRuntimeException {
    HealthCheck image = null;
    if (template.image().isPresent()) {
      image =
          ImageStore.open(root).resolve(template.image().get()).config().runConfig().healthcheck();
    }
    HealthCheck fallback =
        fronts.isEmpty()
            ? HealthCheck.none()
                .withInterval(DEFAULT_HEALTH.interval())
                .withTimeout(DEFAULT_HEALTH.timeout())
                .withRetries(DEFAULT_HEALTH.retryLimit())
            : DEFAULT_HEALTH;
    return given.over(image).over(fallback);
  }

  private List<Backend> backends(String action, ServiceRecord record) throws HostRuntimeException {
    List<Backend> backends = new ArrayList<>();
    for (String id : record.containers()) {
      NetworkAttachment attachment =
          runtime
              .network()
              .attachment(id)
              .orElseThrow(
                  () ->
                      HostRuntimeException.failed(
                          action + ": replica " + id.substring(0, 12) + " has no bridge address"));
      backends.add(Backend.of(attachment.ipAddress().orElseThrow(), record.targetPort()));
    }
    return backends;
  }

  private Map<String, String> containersByAddress(ServiceRecord record)
      throws HostRuntimeException {
    Map<String, String> byAddress = new LinkedHashMap<>();
    for (String id : record.containers()) {
      Optional<NetworkAttachment> attachment = runtime.network().attachment(id);
      if (attachment.isPresent() && attachment.get().ipAddress().isPresent()) {
        byAddress.put(attachment.get().ipAddress().get(), id);
      }
    }
    return byAddress;
  }

  /** A cmd probe's way into the replica at an address: the runtime's exec. */
  private ReplicaExec execIn(Map<String, String> containerOfAddress) {
    return (address, argv, timeout) -> {
      String id = containerOfAddress.get(address);
      return id == null ? Optional.empty() : Optional.of(runtime.exec(id, argv, timeout));
    };
  }

  /** The replicas' refs: recorded ids, and the names NAME-i of replicas a killed run made. */
  private List<String> replicaRefs(String name, Optional<ServiceRecord> record, boolean byName) {
    Set<String> refs = new LinkedHashSet<>();
    record.ifPresent(r -> refs.addAll(r.containers()));
    for (ReplaceRecord replace : record.map(ServiceRecord::inFlight).orElse(List.of())) {
      // a replace killed in flight: its new containers go too
      if (replace.newContainer() != null) {
        refs.add(replace.newContainer());
      }
      if (replace.newName() != null) {
        runtime.idOfName(replace.newName()).ifPresent(refs::add);
      }
    }
    boolean killedRun = record.map(r -> r.state() == ServiceState.CREATING).orElse(true);
    if (!byName || !killedRun) {
      return List.copyOf(refs);
    }
    int count = record.map(ServiceRecord::replicas).orElse(MAX_REPLICAS);
    for (int i = 1; i <= count; i++) {
      runtime.idOfName(ServiceRecord.replicaName(name, i)).ifPresent(refs::add);
    }
    return List.copyOf(refs);
  }

  private void removeAfterFailure(String name, Exception failure) {
    try {
      remove(name, false);
    } catch (HostRuntimeException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** SIGTERM, then SIGKILL when it has not exited within 5 s. */
  private static void stopMonitor(ProcessId monitor) {
    if (monitor.pid() == ProcessHandle.current().pid()) {
      return; // a foreground run removing its own service: its monitor loop ends with the record
    }
    if (ProcessWatch.signal(monitor, LibC.SIGTERM)
        && !ProcessWatch.awaitExit(monitor, Duration.ofSeconds(5))) {
      ProcessWatch.signal(monitor, LibC.SIGKILL);
      ProcessWatch.awaitExit(monitor, Duration.ofSeconds(5));
    }
  }

  /**
   * One replica's line in {@code services/NAME.health}: {@code ADDRESS:PORT STATUS [CONTAINER
   * [OUTPUT]]} (files of older monitors have the first two only); {@code output} is the last
   * probe's, for a replica that is not healthy, as {@code ": ..."} (empty otherwise).
   */
  record HealthLine(String endpoint, HealthStatus status, String container, String output) {

    private static final int MAX_OUTPUT = 200;

    String text() {
      String line = endpoint + " " + status + (container == null ? "" : " " + container);
      return line + (container == null || output.isEmpty() ? "" : " " + output.substring(2));
    }

    static HealthLine of(Backend backend, HealthState state, String container) {
      String output = "";
      if (state.status() != HealthStatus.HEALTHY && state.last().isPresent()) {
        String o = state.last().get().output().replaceAll("\\s+", " ").strip();
        output = o.isEmpty() ? "" : ": " + o.substring(0, Math.min(MAX_OUTPUT, o.length()));
      }
      return new HealthLine(backend.endpoint(), state.status(), container, output);
    }

    static Optional<HealthLine> parse(String line) {
      String[] parts = line.split(" ", 4);
      if (parts.length < 2) {
        return Optional.empty();
      }
      try {
        return Optional.of(
            new HealthLine(
                parts[0],
                HealthStatus.valueOf(parts[1]),
                parts.length > 2 ? parts[2] : null,
                parts.length > 3 ? ": " + parts[3] : ""));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
  }

  private static String healthText(
      Map<Backend, HealthState> states, Map<String, String> byAddress) {
    StringBuilder text = new StringBuilder();
    states.forEach(
        (b, s) -> text.append(HealthLine.of(b, s, byAddress.get(b.address())).text()).append('\n'));
    return text.toString();
  }

  private void writeHealth(String name, String text) throws HostRuntimeException {
    Path file = dir.resolve(name + ".health");
    try {
      AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw HostRuntimeException.failed("write " + file + ": " + e.getMessage(), e);
    }
  }

  private List<HealthLine> readHealthLines(String name) {
    List<HealthLine> lines = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(dir.resolve(name + ".health"))) {
        HealthLine.parse(line).ifPresent(lines::add);
      }
    } catch (IOException e) {
      return List.of();
    }
    return lines;
  }

  private Map<String, HealthStatus> readHealth(String name) {
    Map<String, HealthStatus> health = new LinkedHashMap<>();
    readHealthLines(name).forEach(l -> health.put(l.endpoint(), l.status()));
    return health;
  }

  /** Why container {@code id} cannot become healthy ("exited with code 1"), or null if it runs. */
  private String notRunning(String id) {
    try {
      ContainerState state = runtime.state(id);
      if (state.status() == ContainerStatus.RUNNING || state.status() == ContainerStatus.STARTING) {
        return null;
      }
      return state.status().label() + state.exitCode().map(c -> " with code " + c).orElse("");
    } catch (HostRuntimeException e) {
      return "is gone (" + e.getMessage() + ")";
    }
  }

  private NotHealthyException notHealthy(
      String action, String name, int replica, String id, String what) {
    List<String> tail = ServiceReplacer.logTail(runtime, id);
    return new NotHealthyException(
        action
            + ": replica "
            + replica
            + " ("
            + id.substring(0, Math.min(12, id.length()))
            + ") "
            + what
            + (tail.isEmpty() ? "" : "; its last output: " + tail.get(tail.size() - 1)),
        name,
        replica,
        id,
        tail);
  }

  private ServiceRecord require(String action, String name) throws HostRuntimeException {
    return read(name)
        .orElseThrow(() -> HostRuntimeException.notFound(action + ": no such service"));
  }

  private Optional<ServiceRecord> read(String name) throws HostRuntimeException {
    if (!ServiceLoadBalancer.SERVICE_NAME.matcher(name).matches()) {
      throw HostRuntimeException.badInput("service \"" + name + "\": not a service name");
    }
    return records.read(name);
  }

  private void write(ServiceRecord record) throws HostRuntimeException {
    records.write(record);
  }

  private static boolean sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
