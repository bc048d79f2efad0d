package dev.stamp.controller.rollout;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.rollout.HostServiceResult.Outcome;
import dev.stamp.controller.rollout.RolloutEvent.Phase;
import dev.stamp.controller.rollout.RolloutPlan.Action;
import dev.stamp.controller.rollout.RolloutPlan.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Makes the hosts run exactly a {@link DesiredApp}, by replacement only: the agent's PUT replaces
 * containers (start-first, health-gated, on the host), nothing is changed in place.
 *
 * <p>{@link #plan} compares the desired spec of each service on each host (its share of the
 * replicas, see {@link Placement}) with what the agent reports ({@link SpecDigest}). {@link #apply}
 * then rolls the services one at a time in {@code depends_on} order (a dependent starts once its
 * dependencies are running and healthy on every host, as the agent's health gate says), each over
 * its hosts in batches of {@code update_config.parallelism} with {@code delay} between batches; a
 * batch's hosts are PUT together, then each is waited for until the agent's {@code
 * observedGeneration} reaches the PUT's generation with every replica running, and it stays so for
 * {@code monitor}. The agent's {@code lastError} for that generation, or no health within {@code
 * monitor} + {@link Timing#settle()}, is a failure, handled by {@code failure_action}: {@code
 * pause} stops (PAUSED), {@code continue} goes on (FAILED in the end), {@code rollback} puts every
 * service this rollout changed back to the last good release's spec at {@code rollback_config}'s
 * pace (ROLLED_BACK). Services of the app no longer desired on a host are deleted after everything
 * else is up; other apps' services are never touched. An agent that does not answer after {@link
 * Timing#attempts()} tries is left out of the rest of the rollout (its results FAILED, PARTIAL).
 *
 * <p>Applying the same release again sends nothing but reads: every spec already matches, so a
 * controller restarted after kill -9 converges without duplicate containers. Drifted replicas of an
 * unchanged spec are replaced by a PUT of the spec with {@link SpecDigest#REPLACE_ENV} set to the
 * new generation: a spec change the agent replaces through its normal path.
 */
public final class Rollout {

  /** How a rollout sleeps; tests pass one that moves a fake clock instead. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /**
   * Time for a rollout: the clock deadlines are measured with, the sleeper, how often an agent is
   * polled while waiting, how long a host may take to be healthy (on top of {@code monitor}), and
   * how many times an agent call is tried with what first backoff (doubling).
   */
  public record Timing(
      Clock clock,
      Sleeper sleeper,
      Duration poll,
      Duration settle,
      int attempts,
      Duration backoff) {

    public Timing {
      if (clock == null || sleeper == null) {
        throw new IllegalArgumentException("rollout timing: a clock and a sleeper are required");
      }
      if (poll == null || poll.isNegative() || poll.isZero()) {
        throw new IllegalArgumentException("rollout timing: poll must be positive, got " + poll);
      }
      if (settle == null || settle.isNegative()) {
        throw new IllegalArgumentException("rollout timing: settle must be 0 or more");
      }
      if (attempts < 1) {
        throw new IllegalArgumentException("rollout timing: attempts must be 1 or more");
      }
      if (backoff == null || backoff.isNegative()) {
        throw new IllegalArgumentException("rollout timing: backoff must be 0 or more");
      }
    }

    /** The system clock, 500 ms polls, 5 minutes to become healthy, 5 tries from 1 s backoff. */
    public static Timing defaults() {
      return new Timing(
          Clock.systemUTC(),
          d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000),
          Duration.ofMillis(500),
          Duration.ofMinutes(5),
          5,
          Duration.ofSeconds(1));
    }

    public Timing withSettle(Duration value) {
      return new Timing(clock, sleeper, poll, value, attempts, backoff);
    }

    public Timing withPoll(Duration value) {
      return new Timing(clock, sleeper, value, settle, attempts, backoff);
    }
  }

  private final List<HostAgent> hosts;
  private final RolloutListener listener;
  private final Timing timing;

  public Rollout(List<HostAgent> hosts, RolloutListener listener, Timing timing) {
    this.hosts = List.copyOf(hosts);
    this.listener = listener;
    this.timing = timing;
    Set<String> names = new java.util.HashSet<>();
    for (HostAgent h : this.hosts) {
      if (!names.add(h.name())) {
        throw new IllegalArgumentException("rollout: host " + h.name() + " given twice");
      }
    }
  }

  public Rollout(List<HostAgent> hosts, RolloutListener listener) {
    this(hosts, listener, Timing.defaults());
  }

  /** What {@link #apply} would do now; reads the agents, changes nothing. */
  public RolloutPlan plan(DesiredApp desired) throws ControllerException {
    ServiceOrder.of(desired);
    PlacementPlan placement = Placement.place(desired, hosts);
    List<Step> steps = new ArrayList<>();
    Map<String, String> unreachable = new LinkedHashMap<>();
    AgentCalls calls = calls(desired, "", "");
    for (HostAgent h : hosts) {
      List<ServiceStatus> all;
      try {
        all = calls.call(h, "list services", h::services);
      } catch (AgentCalls.Unreachable | AgentCalls.Refused e) {
        unreachable.put(h.name(), e.getMessage());
        continue;
      }
      Map<String, ServiceStatus> mine = new LinkedHashMap<>();
      for (ServiceStatus s : all) {
        if (AgentNames.isOf(desired.name(), s.name())) {
          mine.put(s.name(), s);
        }
      }
      for (DesiredService s : desired.services()) {
        String agentName = AgentNames.of(desired.name(), s.name());
        ServiceStatus have = mine.remove(agentName);
        int n = placement.replicas(s.name(), h.name());
        if (n == 0) {
          if (have != null && !"deleting".equals(have.state())) {
            steps.add(
                new Step(
                    s.name(),
                    h.name(),
                    agentName,
                    Action.REMOVE,
                    "no longer placed on this host",
                    0,
                    have.generation(),
                    false));
          }
          continue;
        }
        steps.add(step(s, h.name(), agentName, n, have));
      }
      for (ServiceStatus gone : mine.values()) {
        if (!"deleting".equals(gone.state())) {
          steps.add(
              new Step(
                  AgentNames.serviceOf(desired.name(), gone.name()).orElseThrow(),
                  h.name(),
                  gone.name(),
                  Action.REMOVE,
                  "not in release " + desired.release(),
                  0,
                  gone.generation(),
                  false));
        }
      }
    }
    return new RolloutPlan(desired.name(), desired.release(), steps, unreachable);
  }

  private static Step step(
      DesiredService s, String host, String agentName, int n, ServiceStatus have) {
    ServiceSpec spec = SpecDigest.withReplicas(s.spec(), n);
    if (have == null || "deleting".equals(have.state())) {
      return new Step(s.name(), host, agentName, Action.CREATE, "new", n, 0, false);
    }
    if (SpecDigest.matches(spec, have.specDigest(), have.generation())) {
      List<String> drifted = new ArrayList<>();
      for (ServiceStatus.Replica r : have.replicas()) {
        if (r.drifted()) {
          drifted.add(
              "replica "
                  + r.index()
                  + (r.driftPaths() == null || r.driftPaths().isEmpty()
                      ? ""
                      : " " + r.driftPaths()));
        }
      }
      if (!drifted.isEmpty()) {
        return new Step(
            s.name(),
            host,
            agentName,
            Action.REPLACE,
            "drifted: " + String.join(", ", drifted),
            n,
            have.generation(),
            true);
      }
      return new Step(s.name(), host, agentName, Action.UNCHANGED, "", n, have.generation(), false);
    }
    String reason;
    Set<String> images = new LinkedHashSet<>();
    have.replicas().forEach(r -> images.add(r.image()));
    images.remove(null);
    if (!images.isEmpty() && !images.contains(spec.image())) {
      reason = "image changed: " + String.join(", ", images) + " -> " + spec.image();
    } else if (have.replicas().size() != n) {
      reason = "spec changed (replicas " + have.replicas().size() + " -> " + n + ")";
    } else {
      reason = "spec changed: " + have.specDigest() + " -> " + SpecDigest.of(spec);
    }
    return new Step(s.name(), host, agentName, Action.REPLACE, reason, n, have.generation(), false);
  }

  /**
   * Applies {@code desired} (see the class comment); {@code lastGood} is what {@code
   * failure_action: rollback} goes back to. Throws BAD_INPUT before anything is sent when the
   * release cannot be placed or ordered; failures on hosts are in the result.
   */
  public RolloutResult apply(DesiredApp desired, Optional<DesiredApp> lastGood)
      throws ControllerException {
    if (lastGood.isPresent() && !lastGood.get().name().equals(desired.name())) {
      throw ControllerException.badInput(
          "apply app "
              + desired.name()
              + " at "
              + desired.release()
              + ": the last good release is of another app, "
              + lastGood.get().name());
    }
    List<String> order = ServiceOrder.of(desired);
    if (lastGood.isPresent()) {
      Placement.place(lastGood.get(), hosts);
    }
    RolloutPlan plan = plan(desired);
    return new Run(desired, lastGood, order, plan).go();
  }

  static void sleep(Timing timing, Duration d, String what) throws ControllerException {
    if (d.isZero()) {
      return;
    }
    try {
      timing.sleeper().sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ControllerException.unavailable(what + ": interrupted", e);
    }
  }

  private AgentCalls calls(DesiredApp app, String service, String host) {
    return new AgentCalls(
        timing,
        why ->
            listener.event(
                new RolloutEvent(app.name(), app.release(), service, host, Phase.RETRYING, why)));
  }

  /** How waiting for one service on one host ended. */
  private record Settled(boolean ok, boolean unreachable, String message) {}

  /** One apply: its results so far, hosts left out, services changed. */
  private final class Run {
    private final DesiredApp desired;
    private final Optional<DesiredApp> lastGood;
    private final List<String> order;
    private final RolloutPlan plan;
    private final Map<String, HostAgent> byName = new LinkedHashMap<>();
    private final Map<String, HostServiceResult> results = new LinkedHashMap<>();
    private final Map<String, String> dead = new LinkedHashMap<>();
    private final Set<String> failedServices = new LinkedHashSet<>();

    /** service → hosts where a PUT changed the agent's spec, in the order it happened. */
    private final Map<String, List<String>> changed = new LinkedHashMap<>();

    private final PlacementPlan placement;

    Run(DesiredApp desired, Optional<DesiredApp> lastGood, List<String> order, RolloutPlan plan)
        throws ControllerException {
      this.desired = desired;
      this.lastGood = lastGood;
      this.order = order;
      this.plan = plan;
      hosts.forEach(h -> byName.put(h.name(), h));
      this.placement = Placement.place(desired, hosts);
    }

    RolloutResult go() throws ControllerException {
      for (Step s : plan.steps()) {
        event(s.service(), s.host(), Phase.PLANNED, s.action().label() + reason(s));
        if (s.action() != Action.REMOVE) {
          result(s, Outcome.NOT_STARTED, s.generation(), "not reached");
        }
      }
      plan.unreachable().forEach(this::markDead);
      for (String service : order) {
        DesiredService s = desired.service(service).orElseThrow();
        List<Step> steps =
            plan.steps(service).stream().filter(st -> st.action() != Action.REMOVE).toList();
        Optional<String> blocked = blockedBy(s);
        if (blocked.isPresent()) {
          for (Step st : steps) {
            result(st, Outcome.SKIPPED, st.generation(), blocked.get());
            event(service, st.host(), Phase.SKIPPED, blocked.get());
          }
          failedServices.add(service);
          continue;
        }
        Optional<String> failure = roll(s, steps);
        if (failure.isEmpty()) {
          continue;
        }
        failedServices.add(service);
        switch (s.update().failureAction()) {
          case UpdatePolicy.PAUSE -> {
            String m = "paused: " + failure.get();
            event("", "", Phase.PAUSED, m);
            return finish(RolloutResult.State.PAUSED, m);
          }
          case UpdatePolicy.ROLLBACK -> {
            return rollback(failure.get());
          }
          default -> {
            // continue: the next service
          }
        }
      }
      if (!failedServices.isEmpty()) {
        return finish(
            RolloutResult.State.FAILED,
            "failed: " + String.join(", ", failedServices) + "; nothing removed");
      }
      remove();
      if (!dead.isEmpty()) {
        return finish(
            RolloutResult.State.PARTIAL,
            "partial: unreachable " + String.join(", ", dead.keySet()) + "; the rest is up");
      }
      return finish(RolloutResult.State.SUCCEEDED, summary());
    }

    /** A dependency that failed or was skipped, as a reason to skip {@code s}. */
    private Optional<String> blockedBy(DesiredService s) {
      for (String dep : ServiceOrder.dependencies(desired, s.name())) {
        if (failedServices.contains(dep)) {
          var d = s.dependsOn().get(dep);
          String condition = d == null || d.condition() == null ? "service_started" : d.condition();
          return Optional.of("dependency " + dep + " (" + condition + ") did not come up");
        }
      }
      return Optional.empty();
    }

    /**
     * Rolls {@code s} over its hosts at {@code s.update()}'s pace; the first failure's message, or
     * empty when every reachable host is healthy.
     */
    private Optional<String> roll(DesiredService s, List<Step> steps) throws ControllerException {
      UpdatePolicy policy = s.update();
      int size = policy.parallelism() == 0 ? Math.max(1, steps.size()) : policy.parallelism();
      String first = null;
      boolean lastChanged = false;
      for (int from = 0; from < steps.size(); from += size) {
        if (from > 0 && lastChanged && !policy.delay().isZero()) {
          sleep(timing, policy.delay(), "delay between batches of " + s.name());
        }
        List<Step> batch = steps.subList(from, Math.min(steps.size(), from + size));
        List<long[]> generations = new ArrayList<>();
        List<Step> waiting = new ArrayList<>();
        lastChanged = false;
        for (Step st : batch) {
          if (dead.containsKey(st.host())) {
            result(
                st, Outcome.FAILED, st.generation(), "agent unreachable: " + dead.get(st.host()));
            continue;
          }
          if (st.action() == Action.UNCHANGED) {
            waiting.add(st);
            generations.add(new long[] {st.generation()});
            continue;
          }
          HostAgent h = byName.get(st.host());
          ServiceSpec spec = SpecDigest.withReplicas(s.spec(), st.replicas());
          if (st.drifted()) {
            spec = SpecDigest.withReplaceMarker(spec, st.generation() + 1);
          }
          ServiceSpec put = spec;
          event(s.name(), st.host(), Phase.PUTTING, st.action().label() + reason(st));
          try {
            var r =
                calls(s.name(), st.host())
                    .call(h, "put " + st.agentName(), () -> h.put(st.agentName(), put));
            if (r.changed()) {
              changed.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(st.host());
              lastChanged = true;
            }
            waiting.add(st);
            generations.add(new long[] {r.generation()});
          } catch (AgentCalls.Unreachable e) {
            markDead(st.host(), e.getMessage());
          } catch (AgentCalls.Refused e) {
            String m =
                "app "
                    + desired.name()
                    + ", service "
                    + s.name()
                    + " on "
                    + st.host()
                    + ": "
                    + e.getMessage();
            result(st, Outcome.FAILED, st.generation(), m);
            event(s.name(), st.host(), Phase.FAILED, m);
            first = first == null ? m : first;
          }
        }
        for (int i = 0; i < waiting.size(); i++) {
          Step st = waiting.get(i);
          long generation = generations.get(i)[0];
          event(s.name(), st.host(), Phase.WAITING, "generation " + generation);
          Settled done =
              settle(
                  s.name(), st.host(), st.agentName(), generation, st.replicas(), policy.monitor());
          if (done.ok()) {
            boolean same = st.action() == Action.UNCHANGED;
            result(st, same ? Outcome.UNCHANGED : Outcome.SUCCEEDED, generation, done.message());
            event(s.name(), st.host(), same ? Phase.UNCHANGED : Phase.HEALTHY, done.message());
          } else if (done.unreachable()) {
            markDead(st.host(), done.message());
          } else {
            String m =
                "app "
                    + desired.name()
                    + ", service "
                    + s.name()
                    + " on "
                    + st.host()
                    + ": "
                    + done.message();
            result(st, Outcome.FAILED, generation, m);
            event(s.name(), st.host(), Phase.FAILED, m);
            first = first == null ? m : first;
          }
        }
        if (first != null && !policy.failureAction().equals(UpdatePolicy.CONTINUE)) {
          break;
        }
      }
      return Optional.ofNullable(first);
    }

    /**
     * Waits until the agent on {@code host} serves {@code generation} of {@code agentName} with
     * {@code replicas} running replicas, and still does {@code monitor} later.
     */
    private Settled settle(
        String service,
        String host,
        String agentName,
        long generation,
        int replicas,
        Duration monitor)
        throws ControllerException {
      HostAgent h = byName.get(host);
      Clock clock = timing.clock();
      Instant deadline = clock.instant().plus(monitor).plus(timing.settle());
      Instant healthySince = null;
      String last = "no status yet";
      while (true) {
        Optional<ServiceStatus> status;
        try {
          status =
              calls(service, host).call(h, "status of " + agentName, () -> h.status(agentName));
        } catch (AgentCalls.Unreachable e) {
          return new Settled(false, true, e.getMessage());
        } catch (AgentCalls.Refused e) {
          return new Settled(false, false, e.getMessage());
        }
        if (status.isPresent()) {
          ServiceStatus s = status.get();
          ServiceStatus.LastError error = s.lastError();
          if (error != null && error.generation() >= generation) {
            return new Settled(false, false, failure(s, error));
          }
          boolean up =
              s.observedGeneration() >= generation
                  && "running".equals(s.state())
                  && s.replicas().size() == replicas
                  && s.replicas().stream()
                      .allMatch(
                          r -> "running".equals(r.state()) && !"unhealthy".equals(r.health()));
          last = describe(s);
          if (up) {
            Instant now = clock.instant();
            if (healthySince == null) {
              healthySince = now;
            }
            if (!now.isBefore(healthySince.plus(monitor))) {
              return new Settled(
                  true,
                  false,
                  "generation " + s.observedGeneration() + ", " + replicas + " replica(s) running");
            }
          } else if (healthySince != null) {
            return new Settled(
                false, false, "stopped running within monitor " + monitor + ": " + last);
          }
        } else {
          last = "the agent does not know " + agentName;
        }
        if (clock.instant().isAfter(deadline)) {
          return new Settled(
              false,
              false,
              "generation "
                  + generation
                  + " not running and healthy within "
                  + monitor.plus(timing.settle())
                  + "; last: "
                  + last);
        }
        sleep(timing, timing.poll(), "wait for " + agentName + " on host " + host);
      }
    }

    /** Every service this rollout changed goes back to {@code lastGood}'s spec, or is removed. */
    private RolloutResult rollback(String failure) throws ControllerException {
      if (lastGood.isEmpty()) {
        String m =
            failure + "; failure_action rollback, but there is no last good release: left as is";
        event("", "", Phase.FAILED, m);
        return finish(RolloutResult.State.FAILED, m);
      }
      DesiredApp good = lastGood.get();
      event("", "", Phase.ROLLING_BACK, "to release " + good.release() + " after: " + failure);
      PlacementPlan place = Placement.place(good, hosts);
      List<String> problems = new ArrayList<>();
      for (var e : changed.entrySet()) {
        String service = e.getKey();
        DesiredService now = desired.service(service).orElseThrow();
        UpdatePolicy policy = now.rollback();
        Optional<DesiredService> before = good.service(service);
        List<String> targets = e.getValue().stream().filter(h -> !dead.containsKey(h)).toList();
        int size = policy.parallelism() == 0 ? Math.max(1, targets.size()) : policy.parallelism();
        String agentName = AgentNames.of(desired.name(), service);
        boolean stop = false;
        for (int from = 0; from < targets.size() && !stop; from += size) {
          if (from > 0) {
            sleep(timing, policy.delay(), "delay between rollback batches of " + service);
          }
          for (String host : targets.subList(from, Math.min(targets.size(), from + size))) {
            String problem = rollBack(service, host, agentName, before, place, policy);
            if (problem != null) {
              problems.add(problem);
              if (policy.failureAction().equals(UpdatePolicy.PAUSE)) {
                stop = true;
              }
            }
          }
        }
        if (stop) {
          break;
        }
      }
      if (!problems.isEmpty()) {
        String m =
            "rollback to "
                + good.release()
                + " failed: "
                + String.join("; ", problems)
                + " (after: "
                + failure
                + ")";
        event("", "", Phase.FAILED, m);
        return finish(RolloutResult.State.FAILED, m);
      }
      String m = "rolled back to release " + good.release() + " after: " + failure;
      event("", "", Phase.ROLLED_BACK, m);
      return finish(RolloutResult.State.ROLLED_BACK, m);
    }

    /** One service on one host back to {@code before}; the problem, or null when it is back. */
    private String rollBack(
        String service,
        String host,
        String agentName,
        Optional<DesiredService> before,
        PlacementPlan place,
        UpdatePolicy policy)
        throws ControllerException {
      HostAgent h = byName.get(host);
      Action action = actionOf(service, host);
      int n = before.isPresent() ? place.replicas(service, host) : 0;
      if (n == 0) {
        event(
            service,
            host,
            Phase.ROLLING_BACK,
            "not in release " + lastGood.get().release() + ": removing");
        Optional<String> gone = delete(service, host, agentName);
        if (gone.isPresent()) {
          return service + " on " + host + ": " + gone.get();
        }
        results.put(
            key(service, host),
            new HostServiceResult(
                service,
                host,
                action,
                Outcome.ROLLED_BACK,
                0,
                "removed: not in release " + lastGood.get().release()));
        event(service, host, Phase.ROLLED_BACK, "removed");
        return null;
      }
      ServiceSpec spec = SpecDigest.withReplicas(before.get().spec(), n);
      event(service, host, Phase.ROLLING_BACK, "to " + spec.image());
      long generation;
      try {
        generation =
            calls(service, host)
                .call(h, "put " + agentName, () -> h.put(agentName, spec))
                .generation();
      } catch (AgentCalls.Unreachable | AgentCalls.Refused e) {
        return service + " on " + host + ": " + e.getMessage();
      }
      Settled done = settle(service, host, agentName, generation, n, policy.monitor());
      if (!done.ok()) {
        event(service, host, Phase.FAILED, "rollback: " + done.message());
        return service + " on " + host + ": " + done.message();
      }
      results.put(
          key(service, host),
          new HostServiceResult(
              service,
              host,
              action,
              Outcome.ROLLED_BACK,
              generation,
              "back to release " + lastGood.get().release() + ": " + done.message()));
      event(service, host, Phase.ROLLED_BACK, done.message());
      return null;
    }

    /** Deletes the app's services no longer desired on a host, now that the rest is up. */
    private void remove() throws ControllerException {
      for (Step st : plan.steps()) {
        if (st.action() != Action.REMOVE || dead.containsKey(st.host())) {
          continue;
        }
        event(st.service(), st.host(), Phase.REMOVING, st.reason());
        Optional<String> problem = delete(st.service(), st.host(), st.agentName());
        if (problem.isPresent()) {
          result(st, Outcome.FAILED, st.generation(), problem.get());
          event(st.service(), st.host(), Phase.FAILED, problem.get());
        } else {
          result(st, Outcome.REMOVED, st.generation(), st.reason());
          event(st.service(), st.host(), Phase.REMOVED, st.reason());
        }
      }
    }

    /** DELETE, then wait until the agent no longer knows it; the problem when that fails. */
    private Optional<String> delete(String service, String host, String agentName)
        throws ControllerException {
      HostAgent h = byName.get(host);
      AgentCalls calls = calls(service, host);
      try {
        calls.call(
            h,
            "delete " + agentName,
            () -> {
              h.delete(agentName);
              return null;
            });
      } catch (AgentCalls.Refused e) {
        if (e.status() != 404) {
          return Optional.of(e.getMessage());
        }
      } catch (AgentCalls.Unreachable e) {
        markDead(host, e.getMessage());
        return Optional.of(e.getMessage());
      }
      Instant deadline = timing.clock().instant().plus(timing.settle());
      while (true) {
        try {
          if (calls.call(h, "status of " + agentName, () -> h.status(agentName)).isEmpty()) {
            return Optional.empty();
          }
        } catch (AgentCalls.Unreachable | AgentCalls.Refused e) {
          return Optional.of(e.getMessage());
        }
        if (timing.clock().instant().isAfter(deadline)) {
          return Optional.of(agentName + " still on host " + host + " after " + timing.settle());
        }
        sleep(timing, timing.poll(), "wait for the removal of " + agentName + " on host " + host);
      }
    }

    private void markDead(String host, String why) {
      if (dead.containsKey(host)) {
        return;
      }
      dead.put(host, why);
      event("", host, Phase.FAILED, "agent unreachable, host left out of this rollout: " + why);
      for (DesiredService s : desired.services()) {
        HostServiceResult r = results.get(key(s.name(), host));
        if (placement.replicas(s.name(), host) > 0
            && (r == null || r.outcome() == Outcome.NOT_STARTED)) {
          Action a = r == null ? Action.UNKNOWN : r.action();
          results.put(
              key(s.name(), host),
              new HostServiceResult(
                  s.name(),
                  host,
                  a,
                  Outcome.FAILED,
                  r == null ? 0 : r.generation(),
                  "agent unreachable: " + why));
        }
      }
    }

    private Action actionOf(String service, String host) {
      HostServiceResult r = results.get(key(service, host));
      return r == null ? Action.CREATE : r.action();
    }

    private void result(Step st, Outcome outcome, long generation, String message) {
      results.put(
          key(st.service(), st.host()),
          new HostServiceResult(
              st.service(), st.host(), st.action(), outcome, generation, message));
    }

    private RolloutResult finish(RolloutResult.State state, String message) {
      event("", "", Phase.DONE, state.name().toLowerCase(java.util.Locale.ROOT) + ": " + message);
      List<HostServiceResult> ordered = new ArrayList<>();
      Map<String, HostServiceResult> left = new HashMap<>(results);
      for (String service : order) {
        for (HostAgent h : hosts) {
          HostServiceResult r = left.remove(key(service, h.name()));
          if (r != null) {
            ordered.add(r);
          }
        }
      }
      results.values().stream()
          .filter(r -> left.containsKey(key(r.service(), r.host())))
          .forEach(ordered::add);
      return new RolloutResult(state, ordered, "release " + desired.release() + ": " + message);
    }

    private String summary() {
      Map<Outcome, Integer> counts = new LinkedHashMap<>();
      results.values().forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
      List<String> parts = new ArrayList<>();
      counts.forEach((o, n) -> parts.add(n + " " + o.label()));
      return parts.isEmpty() ? "nothing to do" : String.join(", ", parts);
    }

    private AgentCalls calls(String service, String host) {
      return Rollout.this.calls(desired, service, host);
    }

    private void event(String service, String host, Phase phase, String message) {
      listener.event(
          new RolloutEvent(desired.name(), desired.release(), service, host, phase, message));
    }
  }

  private static String key(String service, String host) {
    return service + "@" + host;
  }

  private static String reason(Step s) {
    return s.reason().isEmpty() ? "" : " (" + s.reason() + ")";
  }

  private static String describe(ServiceStatus s) {
    StringBuilder b =
        new StringBuilder()
            .append("state ")
            .append(s.state())
            .append(", generation ")
            .append(s.observedGeneration())
            .append('/')
            .append(s.generation())
            .append(", replicas");
    if (s.replicas().isEmpty()) {
      b.append(" none");
    }
    for (ServiceStatus.Replica r : s.replicas()) {
      b.append(' ').append(r.index()).append(':').append(r.state());
      if (r.health() != null) {
        b.append('/').append(r.health());
      }
    }
    return b.toString();
  }

  private static String failure(ServiceStatus s, ServiceStatus.LastError error) {
    StringBuilder b =
        new StringBuilder("generation ")
            .append(error.generation())
            .append(" failed on the agent: ")
            .append(error.message());
    List<String> tail = error.logTail() == null ? List.of() : error.logTail();
    if (!tail.isEmpty()) {
      b.append("; log tail: ")
          .append(String.join(" | ", tail.subList(Math.max(0, tail.size() - 10), tail.size())));
    }
    b.append(" (").append(describe(s)).append(')');
    return b.toString();
  }
}
