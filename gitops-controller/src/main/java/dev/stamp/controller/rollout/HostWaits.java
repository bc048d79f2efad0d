package dev.stamp.controller.rollout;

import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.ControllerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Waiting on one host's agent, polling at {@link Rollout.Timing#poll()}: until a service serves a
 * generation ({@code observedGeneration} reached, state running, every replica running and, when
 * the agent says, healthy) and still does {@code monitor} later, or until a deleted service is
 * gone.
 *
 * <p>What "healthy" means here is what the agent reports. The agent gates both a first run and a
 * replace on the health check (a replica must pass it before the generation counts as observed,
 * else {@code lastError}), so a service that serves its generation passed its checks. Afterwards a
 * replica may read {@code starting} for one probe interval while the agent's monitor restarts: that
 * is not a failure. {@code unhealthy} (a replica that failed its check since) keeps this waiting;
 * {@code none} is a service whose check is off.
 */
final class HostWaits {

  /** How a wait ended: ok, or why not, and whether the agent stopped answering. */
  record Settled(boolean ok, boolean unreachable, String message) {}

  private final Rollout.Timing timing;

  HostWaits(Rollout.Timing timing) {
    this.timing = timing;
  }

  /**
   * Waits until the agent on {@code host} serves {@code generation} of {@code agentName} with
   * {@code replicas} running replicas, and still does {@code monitor} later.
   */
  Settled settle(
      HostAgent h,
      AgentCalls calls,
      String agentName,
      long generation,
      int replicas,
      Duration monitor)
      throws ControllerException {
    String host = h.name();
    Clock clock = timing.clock();
    Instant deadline = clock.instant().plus(monitor).plus(timing.settle());
    Instant healthySince = null;
    String last = "no status yet";
    while (true) {
      Optional<ServiceStatus> status;
      try {
        status = calls.call(h, "status of " + agentName, () -> h.status(agentName));
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
                    .allMatch(r -> "running".equals(r.state()) && !"unhealthy".equals(r.health()));
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
      Rollout.sleep(timing, timing.poll(), "wait for " + agentName + " on host " + host);
    }
  }

  /** DELETE, then wait until the agent no longer knows it (ok), or why not. */
  Settled removed(HostAgent h, AgentCalls calls, String agentName) throws ControllerException {
    String host = h.name();
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
        return new Settled(false, false, e.getMessage());
      }
    } catch (AgentCalls.Unreachable e) {
      return new Settled(false, true, e.getMessage());
    }
    Instant deadline = timing.clock().instant().plus(timing.settle());
    while (true) {
      try {
        if (calls.call(h, "status of " + agentName, () -> h.status(agentName)).isEmpty()) {
          return new Settled(true, false, "removed");
        }
      } catch (AgentCalls.Unreachable e) {
        return new Settled(false, true, e.getMessage());
      } catch (AgentCalls.Refused e) {
        return new Settled(false, false, e.getMessage());
      }
      if (timing.clock().instant().isAfter(deadline)) {
        return new Settled(
            false, false, agentName + " still on host " + host + " after " + timing.settle());
      }
      Rollout.sleep(
          timing, timing.poll(), "wait for the removal of " + agentName + " on host " + host);
    }
  }

  static String describe(ServiceStatus s) {
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

  static String failure(ServiceStatus s, ServiceStatus.LastError error) {
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
