package dev.stamp.controller.rollout;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.rollout.RolloutPlan.Action;
import dev.stamp.controller.rollout.RolloutPlan.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link RolloutPlan}: each service's share of replicas on each host ({@link Placement}) against
 * what the host's agent reports ({@link SpecDigest}): create, replace (why), unchanged, or remove
 * for the app's services no longer placed there. Reads only.
 */
final class Planner {

  private Planner() {}

  /** A host's services as one plan sees them: listed now, or once for several plans. */
  @FunctionalInterface
  interface Listing {
    List<ServiceStatus> services(HostAgent host)
        throws AgentCalls.Unreachable, AgentCalls.Refused, ControllerException;
  }

  /** Each service of {@code desired} on each host against what its agent reports now. */
  static RolloutPlan plan(DesiredApp desired, List<HostAgent> hosts, AgentCalls calls)
      throws ControllerException {
    return plan(desired, hosts, h -> calls.call(h, "list services", h::services));
  }

  /** Each service of {@code desired} on each host against what {@code listing} reports. */
  static RolloutPlan plan(DesiredApp desired, List<HostAgent> hosts, Listing listing)
      throws ControllerException {
    PlacementPlan placement = Placement.place(desired, hosts);
    List<Step> steps = new ArrayList<>();
    Map<String, String> unreachable = new LinkedHashMap<>();
    for (HostAgent h : hosts) {
      List<ServiceStatus> all;
      try {
        all = listing.services(h);
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
}
