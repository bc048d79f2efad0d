package dev.stamp.controller.rollout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What applying a release would do, host by host, compared with what the agents report now: what
 * {@code stamp plan} prints. Hosts whose agent did not answer are in {@code unreachable} with the
 * reason, and have no steps.
 */
public record RolloutPlan(
    String app, String release, List<Step> steps, Map<String, String> unreachable) {

  public RolloutPlan {
    steps = List.copyOf(steps);
    unreachable = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unreachable));
  }

  /** What happens to one service on one host. */
  public enum Action {
    /** Not on the host yet: PUT. */
    CREATE,
    /** On the host with another spec (or drifted replicas): PUT, the agent replaces. */
    REPLACE,
    /** On the host with this very spec: nothing is sent. */
    UNCHANGED,
    /** Of this app on the host, no longer desired there: DELETE, after the rest is up. */
    REMOVE,
    /** The host's agent did not answer: what it runs is not known. */
    UNKNOWN;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One service on one host: its agent name, the action and why, the replicas it gets there, the
   * generation the agent reports now (0: none), and whether the replace is for drifted replicas of
   * an unchanged spec.
   */
  public record Step(
      String service,
      String host,
      String agentName,
      Action action,
      String reason,
      int replicas,
      long generation,
      boolean drifted) {}

  /** Whether applying changes anything (a step other than unchanged). */
  public boolean changes() {
    return steps.stream().anyMatch(s -> s.action() != Action.UNCHANGED);
  }

  /** The steps of {@code service}, in host order. */
  public List<Step> steps(String service) {
    List<Step> out = new ArrayList<>();
    for (Step s : steps) {
      if (s.service().equals(service)) {
        out.add(s);
      }
    }
    return out;
  }

  /** One line a step, {@code web on h1: replace (image changed: …)}; unreachable hosts last. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    for (Step s : steps) {
      out.add(
          s.service()
              + " on "
              + s.host()
              + ": "
              + s.action().label()
              + (s.reason().isEmpty() ? "" : " (" + s.reason() + ")"));
    }
    unreachable.forEach((h, why) -> out.add("host " + h + ": unreachable (" + why + ")"));
    return out;
  }
}
