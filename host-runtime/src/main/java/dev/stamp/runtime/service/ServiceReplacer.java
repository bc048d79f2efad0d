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
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Services#replace}: replaces a running service's replicas one at a time with containers of
 * a new spec, behind the same published port. Start-first (default), per replica: create and start
 * the new container beside the old one, wait until the service's health check calls it healthy (the
 * {@link HealthCheck} probe with {@link HealthState}'s Docker semantics), switch the backends
 * atomically ({@link ServiceLoadBalancer#setBackends}: new connections go to the new one), drain
 * the old one, stop it (its stop signal and grace period, then SIGKILL) and remove it. Stop-first
 * retires the old one before starting the new one.
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

  private final JsonRecordDir<ServiceRecord> records;
  private final ContainerRuntime runtime;
  private final ServiceLoadBalancer lb;

  ServiceReplacer(
      JsonRecordDir<ServiceRecord> records, ContainerRuntime runtime, ServiceLoadBalancer lb) {
    this.records = records;
    this.runtime = runtime;
    this.lb = lb;
  }

  ServiceRecord replace(String name, ContainerSpec spec, ReplaceOptions options)
      throws HostRuntimeException {
    String action = "replace service " + name;
    options.validate(action);
    ServiceRecord record = begin(action, name);
    Instant began = Instant.now();
    int generation = record.generation() + 1;
    String image = spec.image().orElse(spec.rootfs().map(Object::toString).orElse("?"));
    try {
      for (int i = 1; i <= record.containers().size(); i++) {
        record = replaceOne(action, name, i, spec, options, image, generation, began);
      }
    } catch (ReplaceFailedException e) {
      // replicas replaced so far stay; the next replace must not reuse their names
      update(action, name, r -> r.replaced(r.image(), generation), ServiceState.RUNNING);
      throw e;
    }
    return update(action, name, r -> r.replaced(image, generation), ServiceState.RUNNING);
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

  private ServiceRecord replaceOne(
      String action,
      String name,
      int replica,
      ContainerSpec spec,
      ReplaceOptions options,
      String image,
      int generation,
      Instant began)
      throws HostRuntimeException {
    ServiceRecord record = current(action, name);
    String old = record.containers().get(replica - 1);
    String newName = ServiceRecord.replicaName(name, replica, generation);
    boolean stopFirst = options.order() == ReplaceRecord.Order.STOP_FIRST;
    ReplaceRecord step =
        new ReplaceRecord(
            Instant.now().toString(),
            options.order(),
            image,
            generation,
            replica,
            old,
            newName,
            null,
            stopFirst ? ReplaceRecord.Step.RETIRE : ReplaceRecord.Step.CREATE);
    record = write(action, name, step);
    Optional<String> oldAddress = address(old);
    int port = record.front().containerPort();
    if (stopFirst) {
      awaitMonitorPaused(record, began);
      retire(name, old, oldAddress, port, options, true);
      step = step.at(ReplaceRecord.Step.CREATE);
      record = write(action, name, step);
    }

    String id = null;
    long t0 = System.nanoTime();
    long created = 0;
    long healthy = 0;
    long switched = 0;
    try {
      id = runtime.create(spec.withName(newName));
      step = step.withNewContainer(id).at(ReplaceRecord.Step.HEALTH);
      record = write(action, name, step);
      runtime.start(id, false).close();
      created = System.nanoTime();
      String address =
          address(id)
              .orElseThrow(
                  () -> HostRuntimeException.failed(action + ": the new replica has no address"));
      awaitHealthy(action, record.health(), id, Backend.of(address, port), options);
      healthy = System.nanoTime();
      step = step.at(ReplaceRecord.Step.SWITCH);
      record = write(action, name, step);
      awaitMonitorPaused(record, began);
      switchTo(name, oldAddress, Backend.of(address, port));
      switched = System.nanoTime();
    } catch (HostRuntimeException | RuntimeException e) {
      throw rollBack(action, name, replica, id, newName, oldAddress, stopFirst, e);
    }

    if (!stopFirst) {
      step = step.at(ReplaceRecord.Step.RETIRE);
      write(action, name, step);
      retire(name, old, oldAddress, port, options, false);
    }
    long retired = System.nanoTime();
    LOG.info(
        "{} replica {}: started {} ms, healthy {} ms, switched {} ms, old retired {} ms ({})",
        name,
        replica,
        (created - t0) / 1_000_000,
        (healthy - created) / 1_000_000,
        (switched - healthy) / 1_000_000,
        (retired - switched) / 1_000_000,
        options.order().label());
    List<String> containers = new ArrayList<>(current(action, name).containers());
    containers.set(replica - 1, id);
    return update(action, name, r -> r.withContainers(containers).withReplace(null), null);
  }

  /**
   * The new container failed (or a step before the switch did): take it out again, put the old
   * backend back if it was switched, clear the step; a typed failure with its log tail.
   */
  private HostRuntimeException rollBack(
      String action,
      String name,
      int replica,
      String id,
      String newName,
      Optional<String> oldAddress,
      boolean stopFirst,
      Exception failure)
      throws HostRuntimeException {
    List<String> tail = id == null ? List.of() : logTail(id);
    String ref = id != null ? id : runtime.idOfName(newName).orElse(null);
    try {
      if (ref != null) {
        Optional<String> newAddress = address(ref);
        if (newAddress.isPresent()) {
          restoreBackends(name, newAddress.get(), oldAddress, stopFirst);
        }
        removeQuietly(ref);
      }
      List<String> containers = new ArrayList<>(current(action, name).containers());
      if (stopFirst) {
        containers.remove(replica - 1); // the old one is gone: the service runs one short
      }
      update(action, name, r -> r.withContainers(containers).withReplace(null), null);
    } catch (HostRuntimeException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    String shortId = ref == null ? newName : ref.substring(0, 12);
    String message =
        action
            + ": replica "
            + replica
            + ": new container "
            + shortId
            + " "
            + failure
                .getMessage()
                .replaceFirst("^" + java.util.regex.Pattern.quote(action) + ": ", "")
            + (stopFirst
                ? "; the old replica was already retired (stop-first)"
                : "; it was removed and the old replica keeps serving")
            + (tail.isEmpty() ? "" : "; its last output: " + tail.get(tail.size() - 1));
    ReplaceFailedException e = new ReplaceFailedException(message, name, replica, id, tail);
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
    Duration patience =
        options
            .healthTimeout()
            .orElseGet(
                () ->
                    check
                        .startPeriod()
                        .plus(
                            check
                                .interval()
                                .plus(check.timeout())
                                .multipliedBy(check.retryLimit() + 1L))
                        .plusSeconds(30));
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
    List<Backend> backends = new ArrayList<>();
    boolean swapped = false;
    for (Backend b : lb.backends(name)) {
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
    lb.setBackends(name, backends);
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
    return update(action, name, r -> r.withReplace(step), null);
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
