package dev.stamp.controller.rollout;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.rollout.HostServiceResult.Outcome;
import dev.stamp.controller.rollout.RolloutEvent.Phase;
import dev.stamp.controller.rollout.RolloutPlan.Action;
import dev.stamp.controller.rollout.RolloutPlan.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@link Rollout#apply}: the services in order, each over its hosts in batches; its results so
 * far, the hosts left out (unreachable), the services changed (what a rollback puts back).
 */
final class RolloutRun {

  private final List<HostAgent> hosts;
  private final RolloutListener listener;
  private final Rollout.Timing timing;
  private final HostWaits waits;
  private final DesiredApp desired;
  private final Optional<DesiredApp> lastGood;
  private final List<String> order;
  private final RolloutPlan plan;
  private final Map<String, HostAgent> byName = new LinkedHashMap<>();
  private final Map<String, HostServiceResult> results = new LinkedHashMap<>();
  private final Map<String, String> dead = new LinkedHashMap<>();
  private final Set<String> failedServices = new LinkedHashSet<>();
  private final List<String> failures = new ArrayList<>();

  /** service → hosts where a PUT changed the agent's spec, in the order it happened. */
  private final Map<String, List<String>> changed = new LinkedHashMap<>();

  private final PlacementPlan placement;

  RolloutRun(
      List<HostAgent> hosts,
      RolloutListener listener,
      Rollout.Timing timing,
      DesiredApp desired,
      Optional<DesiredApp> lastGood,
      List<String> order,
      RolloutPlan plan)
      throws ControllerException {
    this.hosts = hosts;
    this.listener = listener;
    this.timing = timing;
    this.waits = new HostWaits(timing);
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
        failures.add(service + " skipped: " + blocked.get());
        continue;
      }
      Optional<String> failure = roll(s, steps);
      if (failure.isEmpty()) {
        continue;
      }
      failedServices.add(service);
      failures.add(failure.get());
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
          "failed: "
              + String.join(", ", failedServices)
              + " ("
              + String.join("; ", failures)
              + "); nothing removed");
    }
    remove();
    if (!dead.isEmpty()) {
      return finish(
          RolloutResult.State.PARTIAL,
          "partial: unreachable " + String.join(", ", dead.keySet()) + "; the rest is up");
    }
    return finish(RolloutResult.State.SUCCEEDED, summary());
  }

  /**
   * A dependency that failed, was skipped, or runs on no host (all its hosts unreachable), as a
   * reason to skip {@code s}. Every condition ({@code service_started}, {@code service_healthy},
   * {@code service_completed_successfully}) waits for the same thing: the dependency rolled out on
   * its hosts ({@link HostWaits#settle}: health-gated for a replace, running for a first create).
   */
  private Optional<String> blockedBy(DesiredService s) {
    for (String dep : ServiceOrder.dependencies(desired, s.name())) {
      var d = s.dependsOn().get(dep);
      String condition = d == null || d.condition() == null ? "service_started" : d.condition();
      if (failedServices.contains(dep)) {
        return Optional.of("dependency " + dep + " (" + condition + ") did not come up");
      }
      boolean up =
          results.values().stream()
              .anyMatch(
                  r ->
                      r.service().equals(dep)
                          && (r.outcome() == Outcome.SUCCEEDED
                              || r.outcome() == Outcome.UNCHANGED));
      if (!up) {
        return Optional.of("dependency " + dep + " (" + condition + ") runs on no reachable host");
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
        Rollout.sleep(timing, policy.delay(), "delay between batches of " + s.name());
      }
      List<Step> batch = steps.subList(from, Math.min(steps.size(), from + size));
      List<Put> waiting = new ArrayList<>();
      lastChanged = false;
      for (Step st : batch) {
        if (dead.containsKey(st.host())) {
          result(st, Outcome.FAILED, st.generation(), "agent unreachable: " + dead.get(st.host()));
          continue;
        }
        if (st.action() == Action.UNCHANGED) {
          waiting.add(new Put(st, st.generation()));
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
          waiting.add(new Put(st, r.generation()));
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
      for (Put p : waiting) {
        Step st = p.step();
        long generation = p.generation();
        event(s.name(), st.host(), Phase.WAITING, "generation " + generation);
        HostWaits.Settled done =
            waits.settle(
                byName.get(st.host()),
                calls(s.name(), st.host()),
                st.agentName(),
                generation,
                st.replicas(),
                policy.monitor());
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
          Rollout.sleep(timing, policy.delay(), "delay between rollback batches of " + service);
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
      HostWaits.Settled gone = removed(service, host, agentName);
      if (!gone.ok()) {
        return service + " on " + host + ": " + gone.message();
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
    HostWaits.Settled done =
        waits.settle(h, calls(service, host), agentName, generation, n, policy.monitor());
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
      HostWaits.Settled gone = removed(st.service(), st.host(), st.agentName());
      if (!gone.ok()) {
        result(st, Outcome.FAILED, st.generation(), gone.message());
        event(st.service(), st.host(), Phase.FAILED, gone.message());
      } else {
        result(st, Outcome.REMOVED, st.generation(), st.reason());
        event(st.service(), st.host(), Phase.REMOVED, st.reason());
      }
    }
  }

  /** DELETE and wait until it is gone; a host that stops answering is left out. */
  private HostWaits.Settled removed(String service, String host, String agentName)
      throws ControllerException {
    HostWaits.Settled gone = waits.removed(byName.get(host), calls(service, host), agentName);
    if (gone.unreachable()) {
      markDead(host, gone.message());
    }
    return gone;
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
        new HostServiceResult(st.service(), st.host(), st.action(), outcome, generation, message));
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
    return new AgentCalls(timing, why -> event(service, host, Phase.RETRYING, why));
  }

  private void event(String service, String host, Phase phase, String message) {
    listener.event(
        new RolloutEvent(desired.name(), desired.release(), service, host, phase, message));
  }

  /** A step sent (or found unchanged) at the agent's {@code generation}: to be waited for. */
  private record Put(Step step, long generation) {}

  private static String key(String service, String host) {
    return service + "@" + host;
  }

  static String reason(Step s) {
    return s.reason().isEmpty() ? "" : " (" + s.reason() + ")";
  }
}
