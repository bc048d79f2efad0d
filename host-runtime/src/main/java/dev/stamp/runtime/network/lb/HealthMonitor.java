package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
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
      ServiceLoadBalancer lb, String service, HealthCheck check, HealthListener listener) {
    this.lb = lb;
    this.service = service;
    this.check = check;
    this.listener = listener;
    this.scheduler = Executors.newScheduledThreadPool(THREADS, threads(service));
  }

  /**
   * Starts probing the published service's current backends, all STARTING and kept in rotation
   * until proven unhealthy. NOT_FOUND when the service is not published.
   */
  public static HealthMonitor start(
      ServiceLoadBalancer lb, String service, HealthCheck check, HealthListener listener)
      throws HostRuntimeException {
    List<Backend> published = lb.backends(service);
    HealthMonitor monitor = new HealthMonitor(lb, service, check, listener);
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
    List<Backend> wanted = lb.resolveBackends(action, endpoint.front(), backends).backends();
    List<String> departed = new ArrayList<>(members.keySet());
    wanted.forEach(b -> departed.remove(b.endpoint()));
    for (String gone : departed) {
      members.remove(gone).task.cancel(false);
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
    Member member = new Member(backend, HealthState.starting(now));
    members.put(backend.endpoint(), member);
    long every = check.interval().toNanos();
    String endpoint = backend.endpoint();
    member.task =
        scheduler.scheduleWithFixedDelay(
            () -> probeSafely(endpoint), every, every, TimeUnit.NANOSECONDS);
  }

  private void probeSafely(String endpoint) {
    try {
      probe(endpoint);
    } catch (RuntimeException e) {
      LOG.warn("health probe of {} for service {}: {}", endpoint, service, e.toString());
    }
  }

  /** Probes one member outside the lock, then records the result and reconciles under it. */
  private void probe(String endpoint) {
    Backend backend;
    synchronized (this) {
      Member member = members.get(endpoint);
      if (member == null || closed) {
        return;
      }
      backend = member.backend;
    }
    ProbeResult result = check.probe().probe(backend, check.timeout());
    HealthTransition transition = null;
    synchronized (this) {
      Member member = members.get(endpoint);
      if (member == null || closed) {
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
