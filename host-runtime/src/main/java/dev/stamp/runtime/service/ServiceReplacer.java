package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.container.ContainerRecord;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.ContainerState;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.container.LogReader;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.fs.LockFile;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.lb.Backend;
import dev.stamp.runtime.network.lb.DrainResult;
import dev.stamp.runtime.network.lb.HealthProbe;
import dev.stamp.runtime.network.lb.HealthState;
import dev.stamp.runtime.network.lb.HealthStatus;
import dev.stamp.runtime.network.lb.ProbeResult;
import dev.stamp.runtime.network.lb.ServiceLoadBalancer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Services#replace}: replaces a running service's replicas in batches ({@link
 * ReplaceOptions#parallelism}, one by default) with containers of a new spec, gated by the new
 * spec's health check, behind the same published port. Start-first (default), per replica: create
 * and start the new container beside the old one, wait until the service's health check calls it
 * healthy (the {@link HealthCheck} probe with {@link HealthState}'s Docker semantics), switch the
 * backends atomically ({@link ServiceLoadBalancer#setBackends}: new connections go to the new one),
 * drain the old one, stop it (its stop signal and grace period, then SIGKILL) and remove it.
 * Stop-first retires the old one before starting the new one.
 *
 * <p>A new container that fails to start or to become healthy is removed, the old one keeps serving
 * (start-first), the service goes back to {@code running} and {@link ReplaceFailedException}
 * carries the new container's log tail. Every step is written first into the record ({@link
 * ReplaceRecord}), so a replace killed at any point can be finished or rolled back.
 *
 * <p>A health monitor of the service ({@link Services#monitor}, in any process) pauses while the
 * state is {@code replacing} and restarts on the new replicas afterwards; the first backend switch
 * waits one health interval (and 500 ms) after the state changed, for a running monitor to notice.
 */
final class ServiceReplacer {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceReplacer.class);
  static final int LOG_TAIL_LINES = 20;
  private static final Duration MONITOR_GRACE = Duration.ofMillis(500);

  /**
   * Called with the record each time a step has been written, before the step acts: a test stops
   * the replace there (by throwing an {@link Error}, which nothing here catches) as a kill would.
   */
  static volatile Consumer<ServiceRecord> afterStepWritten = r -> {};

  private final JsonRecordDir<ServiceRecord> records;
  private final ContainerRuntime runtime;
  private final ServiceLoadBalancer lb;

  ServiceReplacer(
      JsonRecordDir<ServiceRecord> records, ContainerRuntime runtime, ServiceLoadBalancer lb) {
    this.records = records;
    this.runtime = runtime;
    this.lb = lb;
  }

  /**
   * Replaces every replica with a container of {@code spec}, {@code options.parallelism()} at a
   * time (see {@link #replaceBatch}), waiting {@code options.delay()} between batches. {@code
   * check} (the new spec's check in effect) gates each new container and is the record's check once
   * every replica is replaced. A failed batch stops the replace there, as Docker Swarm's {@code
   * failure_action: pause} does: replicas replaced so far (in earlier batches, and those of the
   * failed batch that became healthy) stay, the failed ones are removed (start-first: their old
   * replicas keep serving), the later batches are not started, and the record keeps its image and
   * check (the service runs both versions until the next replace).
   */
  ServiceRecord replace(
      String name,
      ContainerSpec spec,
      HealthCheck check,
      ReplaceOptions options,
      ReplaceProgress progress)
      throws HostRuntimeException {
    String action = "replace service " + name;
    options.validate(action);
    ServiceRecord record = begin(action, name);
    Instant began = Instant.now();
    int generation = record.generation() + 1;
    String image = spec.image().orElse(spec.rootfs().map(Object::toString).orElse("?"));
    HealthCheck gate = check == null ? record.health() : check;
    int count = record.containers().size();
    int parallelism = Math.min(options.parallelism(), count);
    int batches = (count + parallelism - 1) / parallelism;
    try {
      for (int b = 1; b <= batches; b++) {
        if (b > 1 && !options.delay().isZero()) {
          LOG.debug("{}: waiting {} ms before batch {}", name, options.delay().toMillis(), b);
          sleep(options.delay());
        }
        List<Integer> replicas = new ArrayList<>();
        for (int i = (b - 1) * parallelism + 1; i <= Math.min(count, b * parallelism); i++) {
          replicas.add(i);
        }
        progress.batchStarting(b, batches, replicas);
        record =
            replaceBatch(action, name, replicas, spec, gate, options, image, generation, began);
      }
    } catch (ReplaceFailedException e) {
      // replicas replaced so far stay; the next replace must not reuse their names
      update(action, name, r -> r.replaced(r.image(), generation), ServiceState.RUNNING);
      throw e;
    }
    return update(
        action, name, r -> r.replaced(image, generation).withHealth(gate), ServiceState.RUNNING);
  }

  /**
   * Replaces replica {@code index} (1-based; typically one that exited) with a fresh container of
   * {@code spec}, by the start-first machinery: the old one leaves the backends at once (a dead one
   * answers nothing), the new one (named {@code NAME-index.g}) is created, started, waited for and
   * switched in, then the old one is stopped and removed. When the new one fails, it is removed and
   * the old one stays recorded (exited) for the next attempt. The image and the replicas' spec are
   * the caller's: the spec the service runs.
   */
  ServiceRecord replaceReplica(String name, int index, ContainerSpec spec, ReplaceOptions options)
      throws HostRuntimeException {
    String action = "replace replica " + index + " of service " + name;
    options.validate(action);
    ServiceRecord record = begin(action, name);
    int generation = record.generation() + 1;
    try {
      if (index < 1 || index > record.containers().size()) {
        throw HostRuntimeException.badInput(
            action + ": it has replicas 1 to " + record.containers().size());
      }
      Optional<String> oldAddress = address(record.containers().get(index - 1));
      if (oldAddress.isPresent()) {
        List<Backend> rest = new ArrayList<>();
        for (Backend b : lb.backends(name)) {
          if (!b.address().equals(oldAddress.get())) {
            rest.add(b);
          }
        }
        lb.setBackends(name, rest);
      }
      replaceBatch(
          action,
          name,
          List.of(index),
          spec,
          record.health(),
          options.withOrder(ReplaceRecord.Order.START_FIRST),
          record.image(),
          generation,
          Instant.now());
    } catch (HostRuntimeException e) {
      if (e.kind() != StampException.Kind.CONFLICT) { // CONFLICT: removed meanwhile
        update(action, name, r -> r.replaced(r.image(), generation), ServiceState.RUNNING);
      }
      throw e;
    }
    return update(action, name, r -> r.replaced(r.image(), generation), ServiceState.RUNNING);
  }

  /**
   * Changes the number of replicas of a running service to {@code replicas}: new ones (of {@code
   * spec}, named {@code NAME-i.g}) are created, started and added to the backends once healthy, one
   * at a time; surplus ones, from the last, leave the backends, are drained, stopped and removed.
   * Each step is recorded first as a {@link ReplaceRecord} (adding: no {@code oldContainer};
   * removing: stop-first, no {@code newName}), so {@link #recover} can finish or roll it back.
   */
  ServiceRecord scale(String name, int replicas, ContainerSpec spec, ReplaceOptions options)
      throws HostRuntimeException {
    String action = "scale service " + name + " to " + replicas + " replicas";
    options.validate(action);
    ServiceRecord record = begin(action, name);
    Instant began = Instant.now();
    int generation = record.generation() + 1;
    int port = record.targetPort();
    try {
      while (record.containers().size() > replicas) {
        int index = record.containers().size();
        String old = record.containers().get(index - 1);
        ReplaceRecord step =
            ReplaceRecord.begin(
                ReplaceRecord.Order.STOP_FIRST,
                record.image(),
                generation,
                index,
                old,
                null,
                ReplaceRecord.Step.RETIRE,
                record.health());
        record = write(action, name, step);
        awaitMonitorPaused(record, began);
        retire(name, old, address(old), port, options, true);
        List<String> rest = new ArrayList<>(record.containers().subList(0, index - 1));
        record = update(action, name, r -> r.withContainers(rest).withReplace(null), null);
      }
      while (record.containers().size() < replicas) {
        int index = record.containers().size() + 1;
        String newName = ServiceRecord.replicaName(name, index, generation);
        ReplaceRecord step =
            ReplaceRecord.begin(
                ReplaceRecord.Order.START_FIRST,
                record.image(),
                generation,
                index,
                null,
                newName,
                ReplaceRecord.Step.CREATE,
                record.health());
        record = write(action, name, step);
        String id = null;
        try {
          id = runtime.create(spec.withName(newName));
          step = step.withNewContainer(id).at(ReplaceRecord.Step.HEALTH);
          record = write(action, name, step);
          runtime.start(id, false).close();
          String address =
              address(id)
                  .orElseThrow(
                      () ->
                          HostRuntimeException.failed(action + ": the new replica has no address"));
          awaitHealthy(action, record.health(), id, Backend.of(address, port), options);
          step = step.at(ReplaceRecord.Step.SWITCH);
          record = write(action, name, step);
          awaitMonitorPaused(record, began);
          switchTo(name, Optional.empty(), Backend.of(address, port));
        } catch (HostRuntimeException | RuntimeException e) {
          ReplaceFailedException failed =
              rollBack(action, name, step, id, Optional.empty(), false, e);
          update(action, name, r -> r.withReplace(null), null);
          throw failed;
        }
        String added = id;
        record = update(action, name, r -> r.withContainer(added).withReplace(null), null);
      }
    } catch (ReplaceFailedException e) {
      update(
          action,
          name,
          r -> r.replaced(r.image(), generation).withReplicas(r.containers().size()),
          ServiceState.RUNNING);
      throw e;
    }
    return update(
        action,
        name,
        r -> r.replaced(r.image(), generation).withReplicas(r.containers().size()),
        ServiceState.RUNNING);
  }

  /**
   * Finishes or rolls back the replace a killed process left in the record (see {@link
   * ReplaceRecord}), then clears it and moves the service back to {@code running}. {@code spec}
   * re-creates a stop-first replica whose old container is already gone and whose new one never
   * became healthy; without it that replica is dropped from the record (the service runs one short,
   * as after a failed stop-first replace). A service that is not {@code replacing} is returned as
   * it is.
   */
  ServiceRecord recover(String name, Optional<ContainerSpec> spec, ReplaceOptions options)
      throws HostRuntimeException {
    String action = "recover service " + name;
    options.validate(action);
    ServiceRecord record =
        records
            .read(name)
            .orElseThrow(() -> HostRuntimeException.notFound(action + ": no such service"));
    if (record.state() != ServiceState.REPLACING) {
      return record;
    }
    List<ReplaceRecord> inFlight = new ArrayList<>(record.inFlight());
    int generation =
        Math.max(
            record.generation(),
            inFlight.stream().mapToInt(ReplaceRecord::generation).max().orElse(0));
    if (inFlight.isEmpty()) { // killed between two batches: every recorded container is whole
      restoreAll(action, record);
      return update(action, name, x -> x.replaced(x.image(), generation), ServiceState.RUNNING);
    }
    // from the last replica down: dropping one from containers moves none still to recover
    inFlight.sort(java.util.Comparator.comparingInt(ReplaceRecord::replica).reversed());
    List<String> containers = new ArrayList<>(record.containers());
    boolean rolledBack = false;
    boolean allReplaced = true;
    for (ReplaceRecord r : inFlight) {
      Optional<String> replacement = recoverStep(action, record, r, containers, spec, options);
      rolledBack |= replacement == null;
      allReplaced &= replacement != null && replacement.isPresent();
    }
    ReplaceRecord last = inFlight.get(0);
    boolean done = allReplaced && last.replica() >= containers.size();
    ServiceRecord next =
        update(
            action,
            name,
            x ->
                done
                    ? x.withContainers(containers)
                        .replaced(last.image(), generation)
                        .withHealth(last.check(x))
                    : x.withContainers(containers).replaced(x.image(), generation),
            ServiceState.RUNNING);
    if (rolledBack) {
      restoreAll(action, next);
    }
    return next;
  }

  /**
   * Finishes or rolls back one replica's step {@code r} and puts the outcome into {@code
   * containers}: null when it was rolled back (the old one stays), else the replica now in its
   * place (empty: none, the replica was dropped).
   */
  private Optional<String> recoverStep(
      String action,
      ServiceRecord record,
      ReplaceRecord r,
      List<String> containers,
      Optional<ContainerSpec> spec,
      ReplaceOptions options)
      throws HostRuntimeException {
    String name = record.name();
    HealthCheck check = r.check(record);
    int port = record.targetPort();
    String old = r.oldContainer();
    Optional<String> oldAddress = old == null ? Optional.empty() : address(old);
    Optional<String> newRef =
        r.newContainer() != null
            ? Optional.of(r.newContainer())
            : r.newName() == null ? Optional.empty() : runtime.idOfName(r.newName());
    boolean newRunning = newRef.isPresent() && running(newRef.get());
    Optional<String> newAddress = newRunning ? address(newRef.get()) : Optional.empty();
    boolean newServes =
        newAddress.isPresent()
            && lb.backends(name).stream().anyMatch(b -> b.address().equals(newAddress.get()));
    boolean stopFirst = r.order() == ReplaceRecord.Order.STOP_FIRST;
    boolean finish =
        stopFirst
            || switch (r.step()) {
              case CREATE, HEALTH -> false;
              case SWITCH -> newServes;
              case RETIRE -> newRunning || !running(old);
            };
    LOG.info(
        "{}: replica {} was at step {} ({}): {}",
        name,
        r.replica(),
        r.step().label(),
        r.order().label(),
        finish ? "finishing" : "rolling back");
    if (!finish) {
      if (newRef.isPresent()) {
        removeContainer(newRef.get());
      }
      return null;
    }
    String replacement = null;
    if (stopFirst) { // the old one may be half retired: finish that first
      retire(name, old, oldAddress, port, options, true);
      boolean whole = newRunning && r.step() != ReplaceRecord.Step.CREATE;
      if (whole && !newServes) {
        try {
          awaitHealthy(action, check, newRef.get(), backend(newAddress, port), options);
        } catch (HostRuntimeException e) {
          LOG.warn("{}: the new replica {}: {}", name, r.newName(), e.getMessage());
          whole = false;
        }
      }
      if (whole) {
        replacement = newRef.get();
        switchTo(name, Optional.empty(), backend(newAddress, port));
      } else {
        if (newRef.isPresent()) {
          removeContainer(newRef.get());
        }
        if (spec.isPresent() && r.newName() != null) { // no newName: scaling down
          replacement = startReplica(action, record, r.newName(), spec.get(), check, options);
        }
      }
    } else if (newRunning) {
      replacement = newRef.get();
      switchTo(name, oldAddress, backend(newAddress, port));
      retire(name, old, oldAddress, port, options, false);
    } else { // neither runs any more: a fresh one, if the spec is known
      retire(name, old, oldAddress, port, options, true);
      if (newRef.isPresent()) {
        removeContainer(newRef.get());
      }
      if (spec.isPresent()) {
        replacement = startReplica(action, record, r.newName(), spec.get(), check, options);
      }
    }
    int index = r.replica() - 1;
    if (index < containers.size()) {
      if (replacement == null) {
        containers.remove(index);
      } else {
        containers.set(index, replacement);
      }
    } else if (replacement != null) { // scaling up: the new replica joins
      containers.add(replacement);
    }
    return Optional.ofNullable(replacement);
  }

  /**
   * Creates and starts replica {@code newName} of {@code spec}, waits until {@code check} calls it
   * healthy and adds it to the backends; removed again on any failure.
   */
  String startReplica(
      String action,
      ServiceRecord record,
      String newName,
      ContainerSpec spec,
      HealthCheck check,
      ReplaceOptions options)
      throws HostRuntimeException {
    Optional<String> stale = runtime.idOfName(newName);
    if (stale.isPresent()) {
      removeContainer(stale.get());
    }
    int port = record.targetPort();
    String id = null;
    try {
      id = runtime.create(spec.withName(newName));
      runtime.start(id, false).close();
      String created = id;
      Backend target =
          Backend.of(
              address(id)
                  .orElseThrow(
                      () ->
                          HostRuntimeException.failed(
                              action
                                  + ": replica "
                                  + created.substring(0, 12)
                                  + " has no address")),
              port);
      awaitHealthy(action, check, id, target, options);
      switchTo(record.name(), Optional.empty(), target);
      return id;
    } catch (HostRuntimeException | RuntimeException e) {
      List<String> tail = id == null ? List.of() : logTail(id);
      if (id != null) {
        removeQuietly(id);
      }
      ReplaceFailedException failed =
          new ReplaceFailedException(
              action
                  + ": new replica "
                  + newName
                  + " "
                  + String.valueOf(e.getMessage())
                      .replaceFirst("^" + java.util.regex.Pattern.quote(action) + ": ", "")
                  + "; it was removed"
                  + (tail.isEmpty() ? "" : "; its last output: " + tail.get(tail.size() - 1)),
              record.name(),
              0,
              id,
              tail);
      failed.initCause(e);
      throw failed;
    }
  }

  /** The backends: every recorded replica that runs (a rollback's end state). */
  private void restoreAll(String action, ServiceRecord record) throws HostRuntimeException {
    int port = record.targetPort();
    List<Backend> backends = new ArrayList<>();
    for (String id : record.containers()) {
      Optional<String> a = running(id) ? address(id) : Optional.empty();
      if (a.isPresent()) {
        backends.add(Backend.of(a.get(), port));
      }
    }
    if (!backends.isEmpty()) {
      lb.setBackends(record.name(), backends);
    }
  }

  private static Backend backend(Optional<String> address, int port) throws HostRuntimeException {
    return Backend.of(
        address.orElseThrow(
            () -> HostRuntimeException.failed("recover: the new replica has no address")),
        port);
  }

  private boolean running(String ref) {
    if (ref == null) {
      return false;
    }
    try {
      return runtime.state(ref).status() == ContainerStatus.RUNNING;
    } catch (HostRuntimeException e) {
      return false;
    }
  }

  private void removeContainer(String id) throws HostRuntimeException {
    removeContainer(runtime, id);
  }

  /** Removes container {@code id} (killing it first); one that is gone already is no failure. */
  static void removeContainer(ContainerRuntime runtime, String id) throws HostRuntimeException {
    try {
      runtime.remove(id, true);
    } catch (HostRuntimeException e) {
      if (e.kind() != StampException.Kind.NOT_FOUND) {
        throw e;
      }
    }
  }

  /** Under the lock: running -> replacing (a typed refusal from any other state). */
  private ServiceRecord begin(String action, String name) throws HostRuntimeException {
    try (LockFile.Held lock = records.lock()) {
      ServiceRecord record =
          records
              .read(name)
              .orElseThrow(() -> HostRuntimeException.notFound(action + ": no such service"));
      ServiceRecord next = record.moveTo(action, ServiceState.REPLACING);
      records.write(next);
      return next;
    }
  }

  /**
   * Replaces {@code replicas} (1-based indexes) together. Start-first: every new container is
   * created and started beside its old one and waited for until healthy under {@code check}; the
   * healthy ones take their old ones' places in the backends with one {@code setBackends}, then the
   * old ones are drained, stopped and removed. Stop-first: the old ones leave the backends together
   * and are drained, stopped and removed first. The steps of all of them are written first, as one
   * record ({@link ServiceRecord#inFlight}). A new container that fails is removed (its old one
   * keeps serving, start-first; stop-first, that replica is dropped); the others of the batch go
   * on, and then {@link ReplaceFailedException} names the first failure.
   */
  private ServiceRecord replaceBatch(
      String action,
      String name,
      List<Integer> replicas,
      ContainerSpec spec,
      HealthCheck check,
      ReplaceOptions options,
      String image,
      int generation,
      Instant began)
      throws HostRuntimeException {
    ServiceRecord record = current(action, name);
    boolean stopFirst = options.order() == ReplaceRecord.Order.STOP_FIRST;
    int port = record.targetPort();
    int n = replicas.size();
    List<ReplaceRecord> steps = new ArrayList<>();
    List<String> olds = new ArrayList<>();
    List<Optional<String>> oldAddresses = new ArrayList<>();
    for (int replica : replicas) {
      String old = record.containers().get(replica - 1);
      olds.add(old);
      oldAddresses.add(address(old));
      steps.add(
          ReplaceRecord.begin(
              options.order(),
              image,
              generation,
              replica,
              old,
              ServiceRecord.replicaName(name, replica, generation),
              stopFirst ? ReplaceRecord.Step.RETIRE : ReplaceRecord.Step.CREATE,
              check));
    }
    record = write(action, name, steps);
    if (stopFirst) {
      awaitMonitorPaused(record, began);
      takeOut(name, oldAddresses);
      List<Integer> all = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        all.add(k);
      }
      retireAll(name, olds, oldAddresses, all, port, options);
      steps.replaceAll(s -> s.at(ReplaceRecord.Step.CREATE));
      record = write(action, name, steps);
    }

    long t0 = System.nanoTime();
    String[] ids = new String[n];
    Backend[] targets = new Backend[n];
    Exception[] failures = new Exception[n];
    for (int k = 0; k < n; k++) {
      try {
        ids[k] = runtime.create(spec.withName(steps.get(k).newName()));
        steps.set(k, steps.get(k).withNewContainer(ids[k]).at(ReplaceRecord.Step.HEALTH));
        record = write(action, name, steps);
        runtime.start(ids[k], false).close();
        String id = ids[k];
        targets[k] =
            Backend.of(
                address(id)
                    .orElseThrow(
                        () ->
                            HostRuntimeException.failed(
                                action + ": the new replica has no address")),
                port);
      } catch (HostRuntimeException | RuntimeException e) {
        failures[k] = e;
      }
    }
    long created = System.nanoTime();
    for (int k = 0; k < n; k++) {
      if (failures[k] == null) {
        try {
          awaitHealthy(action, check, ids[k], targets[k], options);
        } catch (HostRuntimeException | RuntimeException e) {
          failures[k] = e;
        }
      }
    }
    long healthy = System.nanoTime();
    List<Integer> failed = new ArrayList<>();
    ReplaceFailedException failure = null;
    for (int k = 0; k < n; k++) {
      if (failures[k] != null) {
        failed.add(k);
        ReplaceFailedException e =
            rollBack(
                action, name, steps.get(k), ids[k], oldAddresses.get(k), stopFirst, failures[k]);
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    List<Integer> done = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      if (failures[k] == null) {
        done.add(k);
      }
    }
    List<ReplaceRecord> switching = new ArrayList<>();
    done.forEach(k -> switching.add(steps.get(k).at(ReplaceRecord.Step.SWITCH)));
    if (!done.isEmpty()) {
      record = write(action, name, switching);
      awaitMonitorPaused(record, began);
      try {
        List<Backend> backends = lb.backends(name);
        for (int k : done) {
          backends = swapped(backends, oldAddresses.get(k), targets[k]);
        }
        lb.setBackends(name, backends);
      } catch (HostRuntimeException | RuntimeException e) {
        ReplaceFailedException first = null;
        for (int k : done) {
          ReplaceFailedException r =
              rollBack(action, name, steps.get(k), ids[k], oldAddresses.get(k), stopFirst, e);
          failed.add(k);
          if (first == null) {
            first = r;
          }
        }
        done.clear();
        if (failure != null) {
          first.addSuppressed(failure);
        }
        failure = first;
      }
    }
    long switched = System.nanoTime();
    if (!stopFirst && !done.isEmpty()) {
      List<ReplaceRecord> retiring = new ArrayList<>();
      done.forEach(k -> retiring.add(steps.get(k).at(ReplaceRecord.Step.RETIRE)));
      write(action, name, retiring);
      retireAll(name, olds, oldAddresses, done, port, options);
    }
    long retired = System.nanoTime();
    LOG.info(
        "{} replicas {}: started {} ms, healthy {} ms, switched {} ms, old retired {} ms ({}{})",
        name,
        replicas,
        (created - t0) / 1_000_000,
        (healthy - created) / 1_000_000,
        (switched - healthy) / 1_000_000,
        (retired - switched) / 1_000_000,
        options.order().label(),
        failed.isEmpty() ? "" : ", " + failed.size() + " failed");
    List<String> containers = new ArrayList<>(current(action, name).containers());
    for (int k : done) {
      containers.set(replicas.get(k) - 1, ids[k]);
    }
    if (stopFirst) { // a failed one's old replica is gone: the service runs short
      failed.stream()
          .map(replicas::get)
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(replica -> containers.remove(replica - 1));
    }
    ServiceRecord after =
        update(action, name, r -> r.withContainers(containers).withInFlight(List.of()), null);
    if (failure != null) {
      throw failure;
    }
    return after;
  }

  /**
   * Retires the old replicas {@code olds[k]} for each {@code k} of {@code ks} (already out of the
   * backends) at once, each drained, stopped and removed on a thread of its own; the first failure
   * is thrown once every one has finished.
   */
  private void retireAll(
      String name,
      List<String> olds,
      List<Optional<String>> addresses,
      List<Integer> ks,
      int port,
      ReplaceOptions options)
      throws HostRuntimeException {
    if (ks.size() == 1) {
      retire(name, olds.get(ks.get(0)), addresses.get(ks.get(0)), port, options, false);
      return;
    }
    List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int k : ks) {
      Thread t =
          new Thread(
              () -> {
                try {
                  retire(name, olds.get(k), addresses.get(k), port, options, false);
                } catch (HostRuntimeException | RuntimeException e) {
                  failures.add(e);
                }
              },
              "retire-" + name + "-" + k);
      t.start();
      threads.add(t);
    }
    boolean interrupted = false;
    for (Thread t : threads) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true; // the retires finish either way: the record says they are under way
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (!failures.isEmpty()) {
      Exception first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      if (first instanceof HostRuntimeException h) {
        throw h;
      }
      throw (RuntimeException) first;
    }
  }

  /** Takes the backends at {@code addresses} out together (stop-first). */
  private void takeOut(String name, List<Optional<String>> addresses) throws HostRuntimeException {
    List<Backend> rest = new ArrayList<>();
    for (Backend b : lb.backends(name)) {
      if (addresses.stream().noneMatch(a -> a.isPresent() && a.get().equals(b.address()))) {
        rest.add(b);
      }
    }
    lb.setBackends(name, rest);
  }

  /**
   * A new container failed (or a step before the switch did): take it out again, put the old
   * backend back if it was switched; a typed failure with its log tail. The record is the caller's.
   */
  private ReplaceFailedException rollBack(
      String action,
      String name,
      ReplaceRecord step,
      String id,
      Optional<String> oldAddress,
      boolean stopFirst,
      Exception failure) {
    List<String> tail = id == null ? List.of() : logTail(id);
    String ref = id != null ? id : runtime.idOfName(step.newName()).orElse(null);
    try {
      if (ref != null) {
        Optional<String> newAddress = address(ref);
        if (newAddress.isPresent()) {
          restoreBackends(name, newAddress.get(), oldAddress, stopFirst);
        }
        removeQuietly(ref);
      }
    } catch (HostRuntimeException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    String shortId = ref == null ? step.newName() : ref.substring(0, 12);
    String message =
        action
            + ": replica "
            + step.replica()
            + ": new container "
            + shortId
            + " "
            + String.valueOf(failure.getMessage())
                .replaceFirst("^" + java.util.regex.Pattern.quote(action) + ": ", "")
            + (stopFirst
                ? "; the old replica was already retired (stop-first)"
                : oldAddress.isEmpty()
                    ? "; it was removed"
                    : "; it was removed and the old replica keeps serving")
            + (tail.isEmpty() ? "" : "; its last output: " + tail.get(tail.size() - 1));
    ReplaceFailedException e = new ReplaceFailedException(message, name, step.replica(), id, tail);
    if (!(failure instanceof ReplaceFailedException)) {
      e.initCause(failure);
    }
    return e;
  }

  /** Polls the new container with the service's health check until healthy; fails otherwise. */
  private void awaitHealthy(
      String action, HealthCheck health, String id, Backend target, ReplaceOptions options)
      throws HostRuntimeException {
    HealthCheck check = health.over(Services.DEFAULT_HEALTH);
    if (check.kind() == HealthCheck.Kind.NONE) {
      return; // no health check: running is ready, as Docker has it
    }
    HealthProbe probe =
        ExecProbe.forCheck(
            check,
            (address, argv, timeout) ->
                address.equals(target.address())
                    ? Optional.of(runtime.exec(id, argv, timeout))
                    : Optional.empty());
    Duration patience = options.healthPatience(check);
    long deadline = System.nanoTime() + patience.toNanos();
    Instant started = Instant.now();
    HealthState state = HealthState.starting(started);
    while (true) {
      // Docker: probes come every start interval during the start period, every interval after
      boolean inStartPeriod =
          state.status() == HealthStatus.STARTING
              && Duration.between(started, Instant.now()).compareTo(check.startPeriod()) < 0;
      sleep(inStartPeriod ? check.startInterval() : check.interval());
      ContainerState container = runtime.state(id);
      if (container.status() != ContainerStatus.RUNNING) {
        throw HostRuntimeException.failed(
            action
                + ": "
                + container.status().label()
                + container.exitCode().map(c -> " with code " + c).orElse("")
                + " before it was healthy");
      }
      ProbeResult result = probe.probe(target, check.timeout());
      state = state.after(result, check);
      if (state.status() == HealthStatus.HEALTHY) {
        return;
      }
      if (state.status() == HealthStatus.UNHEALTHY) {
        throw HostRuntimeException.failed(
            action + ": is unhealthy (" + probe.describe() + ": " + result.output() + ")");
      }
      if (System.nanoTime() > deadline) {
        throw HostRuntimeException.failed(
            action + ": was not healthy within " + patience.toMillis() + " ms");
      }
    }
  }

  /** New connections go to {@code next} instead of the old replica (or in addition, if gone). */
  private void switchTo(String name, Optional<String> oldAddress, Backend next)
      throws HostRuntimeException {
    lb.setBackends(name, swapped(lb.backends(name), oldAddress, next));
  }

  /** {@code now} with {@code next} in the old replica's place (or added, if it is not there). */
  private static List<Backend> swapped(List<Backend> now, Optional<String> oldAddress, Backend next)
      throws HostRuntimeException {
    List<Backend> backends = new ArrayList<>();
    boolean swapped = false;
    for (Backend b : now) {
      if (!swapped && oldAddress.isPresent() && b.address().equals(oldAddress.get())) {
        backends.add(Backend.of(next.address(), b.port(), b.weight()));
        swapped = true;
      } else if (!b.address().equals(next.address())) {
        backends.add(b);
      }
    }
    if (!swapped) {
      backends.add(next);
    }
    return backends;
  }

  /** Takes the new one out again and (start-first) the old one back in. */
  private void restoreBackends(
      String name, String newAddress, Optional<String> oldAddress, boolean stopFirst)
      throws HostRuntimeException {
    List<Backend> now = lb.backends(name);
    if (now.stream().noneMatch(b -> b.address().equals(newAddress))) {
      return;
    }
    List<Backend> backends = new ArrayList<>();
    for (Backend b : now) {
      if (!b.address().equals(newAddress)) {
        backends.add(b);
      } else if (!stopFirst && oldAddress.isPresent()) {
        backends.add(Backend.of(oldAddress.get(), b.port(), b.weight()));
      }
    }
    lb.setBackends(name, backends);
  }

  /**
   * The old replica: out of the backends (stop-first; start-first switched it out already),
   * drained, stopped with its stop signal and grace period, removed.
   */
  private void retire(
      String name,
      String old,
      Optional<String> oldAddress,
      int port,
      ReplaceOptions options,
      boolean takeOut)
      throws HostRuntimeException {
    if (old == null) {
      return; // scaling up: there is no old replica
    }
    if (oldAddress.isPresent()) {
      Backend backend = Backend.of(oldAddress.get(), port);
      if (takeOut) {
        List<Backend> rest = new ArrayList<>();
        for (Backend b : lb.backends(name)) {
          if (b.address().equals(oldAddress.get())) {
            backend = b;
          } else {
            rest.add(b);
          }
        }
        lb.setBackends(name, rest);
      }
      DrainResult drained = lb.drain(name, backend, options.drainTimeout());
      LOG.debug("{}: {} drained in {} ms", name, backend.endpoint(), drained.waited().toMillis());
      if (!drained.drained()) {
        LOG.warn(
            "replace service {}: {} still had {} connections after {} ms; stopping it",
            name,
            backend.endpoint(),
            drained.remainingFlows(),
            drained.waited().toMillis());
      }
    }
    try {
      Duration grace =
          runtime
              .inspect(old)
              .config()
              .map(ContainerRecord::stopTimeoutSeconds)
              .map(Duration::ofSeconds)
              .orElse(Duration.ofSeconds(10));
      long t0 = System.nanoTime();
      runtime.stop(old, grace);
      long stopped = System.nanoTime();
      runtime.remove(old, true);
      LOG.debug(
          "{}: old replica stopped in {} ms, removed in {} ms",
          name,
          (stopped - t0) / 1_000_000,
          (System.nanoTime() - stopped) / 1_000_000);
    } catch (HostRuntimeException e) {
      if (e.kind() != StampException.Kind.NOT_FOUND) {
        throw e;
      }
    }
  }

  /** With a monitor running, the first switch waits until it has seen "replacing" and paused. */
  private static void awaitMonitorPaused(ServiceRecord record, Instant began) {
    if (record.monitor().map(ProcessId::isAlive).orElse(false)) {
      Duration left =
          record
              .health()
              .over(Services.DEFAULT_HEALTH)
              .interval()
              .plus(MONITOR_GRACE)
              .minus(Duration.between(began, Instant.now()));
      if (!left.isNegative()) {
        sleep(left);
      }
    }
  }

  private Optional<String> address(String id) throws HostRuntimeException {
    try {
      return runtime
          .network()
          .attachment(runtime.resolve(id))
          .flatMap(NetworkAttachment::ipAddress);
    } catch (HostRuntimeException e) {
      if (e.kind() == StampException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private List<String> logTail(String id) {
    return logTail(runtime, id);
  }

  /**
   * The last {@link #LOG_TAIL_LINES} lines of container {@code id}'s output; empty if unreadable.
   */
  static List<String> logTail(ContainerRuntime runtime, String id) {
    try {
      StringBuilder text = new StringBuilder();
      for (LogReader.Entry e : runtime.logs(id).entries()) {
        text.append(new String(e.data(), StandardCharsets.UTF_8));
      }
      List<String> lines = text.toString().lines().toList();
      return lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
    } catch (HostRuntimeException | IOException | RuntimeException e) {
      return List.of();
    }
  }

  private void removeQuietly(String id) {
    try {
      runtime.remove(id, true);
    } catch (HostRuntimeException e) {
      LOG.warn("replace: remove new container {}: {}", id, e.getMessage());
    }
  }

  private ServiceRecord current(String action, String name) throws HostRuntimeException {
    return records
        .read(name)
        .orElseThrow(() -> HostRuntimeException.notFound(action + ": the service is gone"));
  }

  private ServiceRecord write(String action, String name, ReplaceRecord step)
      throws HostRuntimeException {
    return write(action, name, List.of(step));
  }

  /** Writes the steps of a batch in flight (a copy: the caller may change its list). */
  private ServiceRecord write(String action, String name, List<ReplaceRecord> steps)
      throws HostRuntimeException {
    List<ReplaceRecord> copy = List.copyOf(steps);
    ServiceRecord written = update(action, name, r -> r.withInFlight(copy), null);
    afterStepWritten.accept(written);
    return written;
  }

  /**
   * Under the lock: the record as it is now, which must still be replacing (a {@code service rm}
   * meanwhile stops the replace), changed by {@code change}, then moved to {@code next} if given.
   */
  private ServiceRecord update(
      String action, String name, UnaryOperator<ServiceRecord> change, ServiceState next)
      throws HostRuntimeException {
    try (LockFile.Held lock = records.lock()) {
      ServiceRecord now = current(action, name);
      if (now.state() != ServiceState.REPLACING) {
        throw HostRuntimeException.conflict(
            action + ": the service became " + now.state().label() + " meanwhile");
      }
      ServiceRecord changed = change.apply(now);
      if (next != null) {
        changed = changed.moveTo(action, next);
      }
      records.write(changed);
      return changed;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(Math.max(0, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
