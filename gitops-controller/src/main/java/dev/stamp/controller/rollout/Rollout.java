package dev.stamp.controller.rollout;

import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.rollout.RolloutEvent.Phase;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * dependencies are rolled out: see {@link HostWaits} for what the agent lets "healthy" mean), each
 * over its hosts in batches of {@code update_config.parallelism} with {@code delay} between
 * batches; a batch's hosts are PUT together, then each is waited for until the agent's {@code
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

  /**
   * What {@link #remove} did: the agent names deleted per host, and the hosts that could not be
   * reached or refused (the caller retries those; what was deleted stays deleted).
   */
  public record Removal(Map<String, List<String>> deleted, Map<String, String> failed) {
    public Removal {
      deleted = Map.copyOf(deleted);
      failed = Map.copyOf(failed);
    }
  }

  /**
   * Deletes every service of {@code app} on every host (an app no longer in its repository). A host
   * that fails is noted in {@link Removal#failed} and the others are still done.
   */
  public Removal remove(String app) {
    Map<String, List<String>> deleted = new java.util.LinkedHashMap<>();
    Map<String, String> failed = new java.util.LinkedHashMap<>();
    for (HostAgent h : hosts) {
      List<String> gone = new java.util.ArrayList<>();
      try {
        for (dev.stamp.agent.api.ServiceStatus s : h.services()) {
          if (AgentNames.isOf(app, s.name()) && !"deleting".equals(s.state())) {
            h.delete(s.name());
            gone.add(s.name());
            listener.event(
                new RolloutEvent(
                    app,
                    "",
                    AgentNames.serviceOf(app, s.name()).orElse(s.name()),
                    h.name(),
                    RolloutEvent.Phase.REMOVED,
                    "the app is no longer in its repository"));
          }
        }
      } catch (dev.stamp.agent.api.AgentException e) {
        failed.put(h.name(), e.getMessage());
      }
      if (!gone.isEmpty()) {
        deleted.put(h.name(), gone);
      }
    }
    return new Removal(deleted, failed);
  }

  /** What {@link #apply} would do now; reads the agents, changes nothing. */
  public RolloutPlan plan(DesiredApp desired) throws ControllerException {
    ServiceOrder.of(desired);
    return Planner.plan(desired, hosts, calls(desired));
  }

  /**
   * What {@link #apply} would do now for each of {@code apps} (by app name), every host listed once
   * for all of them: planning apps one by one lists each host once per app, so a full plan of A
   * apps on H hosts makes A x H list calls, each returning every app's services on the host. Reads
   * the agents, changes nothing; BAD_INPUT as {@link #plan(DesiredApp)}.
   */
  public Map<String, RolloutPlan> plan(List<DesiredApp> apps) throws ControllerException {
    for (DesiredApp desired : apps) {
      ServiceOrder.of(desired);
    }
    AgentCalls calls =
        new AgentCalls(
            timing, why -> listener.event(new RolloutEvent("", "", "", "", Phase.RETRYING, why)));
    Map<String, Object> listed = new HashMap<>(); // host name: its services, or why not
    Planner.Listing once =
        h -> {
          Object had = listed.get(h.name());
          if (had == null) {
            try {
              had = calls.call(h, "list services", h::services);
            } catch (AgentCalls.Unreachable | AgentCalls.Refused e) {
              had = e;
            }
            listed.put(h.name(), had);
          }
          if (had instanceof AgentCalls.Unreachable e) {
            throw e;
          }
          if (had instanceof AgentCalls.Refused e) {
            throw e;
          }
          @SuppressWarnings("unchecked")
          List<ServiceStatus> services = (List<ServiceStatus>) had;
          return services;
        };
    Map<String, RolloutPlan> out = new LinkedHashMap<>();
    for (DesiredApp desired : apps) {
      out.put(desired.name(), Planner.plan(desired, hosts, once));
    }
    return out;
  }

  /**
   * Applies {@code desired} (see the class comment); {@code lastGood} is what {@code
   * failure_action: rollback} goes back to. Throws BAD_INPUT before anything is sent when the
   * release cannot be placed or ordered; failures on hosts are in the result.
   */
  public RolloutResult apply(DesiredApp desired, Optional<DesiredApp> lastGood)
      throws ControllerException {
    return apply(desired, lastGood, null);
  }

  /**
   * The same, with {@code plan} (made by {@link #plan(DesiredApp)} of {@code desired} a moment
   * before) instead of asking the agents again; null: plan now.
   */
  public RolloutResult apply(DesiredApp desired, Optional<DesiredApp> lastGood, RolloutPlan plan)
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
    if (plan == null) {
      plan = plan(desired);
    } else if (!plan.app().equals(desired.name()) || !plan.release().equals(desired.release())) {
      throw new IllegalArgumentException(
          "apply app "
              + desired.name()
              + " at "
              + desired.release()
              + ": the plan given is of "
              + plan.app()
              + " at "
              + plan.release());
    }
    return new RolloutRun(hosts, listener, timing, desired, lastGood, order, plan).go();
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

  private AgentCalls calls(DesiredApp app) {
    return new AgentCalls(
        timing,
        why ->
            listener.event(
                new RolloutEvent(app.name(), app.release(), "", "", Phase.RETRYING, why)));
  }
}
