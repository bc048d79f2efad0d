package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.health.HealthCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes each member of a published service and keeps the service's backends to the members fit for
 * traffic, through {@link ServiceLoadBalancer#setBackends} whenever that set changes.
 *
 * <p>Rotation rule: a member joins once HEALTHY and leaves once UNHEALTHY; a member still STARTING
 * keeps whatever it had (the backends published when the monitor starts stay in until proven
 * unhealthy; a member added later stays out until proven healthy). That is the deploy agent's
 * switch: add the new container with {@link #setMembers}, wait for its HEALTHY transition, set the
 * members to the new one only, {@link ServiceLoadBalancer#drain} the old. With a monitor running,
 * change the service's backends through it, not with setBackends directly (it would put its own set
 * back). When every member is unhealthy the service has no backends: connections are refused.
 *
 * <p>Probes go only to members that {@link ServiceLoadBalancer} accepts as backends: addresses of
 * containers attached in this root.
 */
public final class HealthMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  private static final int THREADS = 4;

  private final ServiceLoadBalancer lb;
  private final String service;
  private final HealthCheck check;
  private final HealthProbe probe; // null: the check is NONE
  private final HealthListener listener;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private List<Backend> applied;
  private boolean closed;

  /** A member: its backend (the weight may change), health, and its probe schedule. */
  private static final class Member {
    Backend backend;
    HealthState state;
    ScheduledFuture<?> task;

    Member(Backend backend, HealthState state) {
      this.backend = backend;
      this.state = state;
    }
  }

  private HealthMonitor(
      ServiceLoadBalancer lb,
      String service,
      HealthCheck check,
      HealthProbe probe,
      HealthListener listener) {
    this.lb = lb;
    this.service = service;
    this.check = check;
    this.probe = probe;
    this.listener = listener;
    this.scheduler = Executors.newScheduledThreadPool(THREADS, threads(service));
  }

  /**
   * Starts checking the published service's current backends from the host ({@code HTTP} or {@code
   * TCP} checks; {@code NONE}: every member is healthy at once and never probed). BAD_INPUT for a
   * check that runs inside containers (give its probe to the other start) or an invalid one.
   */
  public static HealthMonitor start(
      ServiceLoadBalancer lb, String service, HealthCheck check, HealthListener listener)
      throws HostRuntimeException {
    return start(lb, service, check, HealthProbe.fromHost(check), listener);
  }

  /**
   * Starts probing the published service's current backends with {@code probe} on {@code check}'s
   * schedule, all STARTING and kept in rotation until proven unhealthy; with a {@code NONE} check
   * ({@code probe} ignored) every member is HEALTHY at once and never probed. NOT_FOUND when the
   * service is not published.
   */
  public static HealthMonitor start(
      ServiceLoadBalancer lb,
      String service,
      HealthCheck check,
      HealthProbe probe,
      HealthListener listener)
      throws HostRuntimeException {
    check.check("health check");
    boolean none = check.kind() == HealthCheck.Kind.NONE;
    if (!none && probe == null) {
      throw HostRuntimeException.badInput("health check " + check.describe() + ": no probe given");
    }
    List<Backend> published = lb.backends(service);
    HealthMonitor monitor = new HealthMonitor(lb, service, check, none ? null : probe, listener);
    synchronized (monitor) {
      monitor.applied = published;
      Instant now = Instant.now();
      for (Backend backend : published) {
        monitor.add(backend, now);
      }
    }
    return monitor;
  }

  /**
   * Replaces the members: new ones start STARTING (their start period from now) and join once
   * healthy, departed ones leave the backends at once, kept ones keep their health (and take a new
   * weight). BAD_INPUT for a backend that is not a container of this root.
   */
  public synchronized void setMembers(List<Backend> backends) throws HostRuntimeException {
    String action = "set health-checked members of service " + service;
    ServiceEndpoint endpoint =
        lb.service(service)
            .orElseThrow(
                () ->
                    HostRuntimeException.notFound(
                        action + ": service " + service + " is not published"));
    List<Backend> wanted =
        lb.resolveBackends(action, endpoint.front().orElse(null), backends).backends();
    List<String> departed = new ArrayList<>(members.keySet());
    wanted.forEach(b -> departed.remove(b.endpoint()));
    for (String gone : departed) {
      Member member = members.remove(gone);
      if (member.task != null) {
        member.task.cancel(false);
      }
    }
    Map<String, Member> kept = new LinkedHashMap<>(members);
    members.clear();
    Instant now = Instant.now();
    for (Backend backend : wanted) {
      Member member = kept.get(backend.endpoint());
      if (member == null) {
        add(backend, now);
      } else {
        member.backend = backend;
        members.put(backend.endpoint(), member);
      }
    }
    reconcile();
  }

  /** Each member's health, in member order. */
  public synchronized Map<Backend, HealthState> states() {
    Map<Backend, HealthState> states = new LinkedHashMap<>();
    members.values().forEach(m -> states.put(m.backend, m.state));
    return states;
  }

  /** A member's status (matched by address and port). */
  public synchronized Optional<HealthStatus> status(Backend backend) {
    return Optional.ofNullable(members.get(backend.endpoint())).map(m -> m.state.status());
  }

  /** The backends this monitor last applied to the service. */
  public synchronized List<Backend> rotation() {
    return applied;
  }

  /** Stops probing; the service keeps its current backends. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(check.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // --- steps ---

  private void add(Backend backend, Instant now) {
    if (probe == null) { // NONE: no checking, fit for traffic at once
      Member member = new Member(backend, HealthState.unchecked(now));
      members.put(backend.endpoint(), member);
      return;
    }
    Member member = new Member(backend, HealthState.starting(now));
    members.put(backend.endpoint(), member);
    schedule(member, now);
  }

  /**
   * The member's next probe: a start interval away while it is starting within its start period, an
   * interval away otherwise (Docker's schedule).
   */
  private void schedule(Member member, Instant now) {
    boolean starting =
        member.state.status() == HealthStatus.STARTING
            && Duration.between(member.state.startedAt(), now).compareTo(check.startPeriod()) < 0;
    long delay = (starting ? check.startInterval() : check.interval()).toNanos();
    member.task = scheduler.schedule(() -> probeSafely(member), delay, TimeUnit.NANOSECONDS);
  }

  private void probeSafely(Member member) {
    try {
      probe(member);
    } catch (RuntimeException e) {
      LOG.warn(
          "health probe of {} for service {}: {}",
          member.backend.endpoint(),
          service,
          e.toString());
      synchronized (this) {
        if (!closed && members.get(member.backend.endpoint()) == member) {
          schedule(member, Instant.now());
        }
      }
    }
  }

  /**
   * Probes one member outside the lock, then records the result, reconciles and schedules the next
   * probe under it (a member removed meanwhile is left alone).
   */
  private void probe(Member probed) {
    Backend backend;
    synchronized (this) {
      if (closed || members.get(probed.backend.endpoint()) != probed) {
        return;
      }
      backend = probed.backend;
    }
    ProbeResult result = probe.probe(backend, check.timeout());
    HealthTransition transition = null;
    synchronized (this) {
      Member member = probed;
      if (closed || members.get(member.backend.endpoint()) != member) {
        return;
      }
      HealthState before = member.state;
      member.state = before.after(result, check);
      if (member.state.status() != before.status()) {
        transition =
            new HealthTransition(
                service, member.backend, before.status(), member.state.status(), result);
      }
      reconcile();
      schedule(member, Instant.now());
    }
    if (transition != null) {
      notifyListener(transition);
    }
  }

  /**
   * Applies the rotation when it differs from what was applied last; a failure is retried later.
   */
  private void reconcile() {
    List<Backend> rotation = new ArrayList<>();
    for (Member member : members.values()) {
      HealthStatus status = member.state.status();
      boolean wasIn = applied.stream().anyMatch(member.backend::sameEndpoint);
      if (status == HealthStatus.HEALTHY || (status == HealthStatus.STARTING && wasIn)) {
        rotation.add(member.backend);
      }
    }
    if (rotation.equals(applied)) {
      return;
    }
    try {
      lb.setBackends(service, rotation);
      applied = List.copyOf(rotation);
    } catch (HostRuntimeException e) {
      LOG.warn("update backends of service {} after a health change: {}", service, e.getMessage());
    }
  }

  private void notifyListener(HealthTransition transition) {
    LOG.info(
        "service {}: backend {} is {} ({})",
        service,
        transition.backend().endpoint(),
        transition.to(),
        transition.cause().output());
    try {
      listener.onTransition(transition);
    } catch (RuntimeException e) {
      LOG.warn("health listener of service {} failed: {}", service, e.toString());
    }
  }

  private static ThreadFactory threads(String service) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread =
          new Thread(runnable, "stamp-health-" + service + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
