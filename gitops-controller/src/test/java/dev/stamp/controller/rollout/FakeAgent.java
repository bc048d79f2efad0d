package dev.stamp.controller.rollout;

import dev.stamp.agent.api.AgentException;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An agent in memory, for unit tests only: a PUT of a new spec raises the generation; the next
 * status call still shows it progressing, the one after shows it running with fresh replicas — or,
 * for a spec {@link #failing} matches, the agent's last error for that generation with a log tail
 * (the old replicas still serving). {@link #down} makes every call fail as a refused connection,
 * {@link #flaky} the next N calls; every change is written to a journal shared by the hosts.
 */
final class FakeAgent implements HostAgent {

  private final String name;
  private final Map<String, String> labels;
  private final List<String> journal;
  private final Map<String, Svc> services = new TreeMap<>();
  Predicate<ServiceSpec> failing = s -> false;
  Predicate<ServiceSpec> neverReady = s -> false;
  Predicate<ServiceSpec> refused = s -> false;
  Predicate<ServiceSpec> crashing = s -> false;
  boolean down;
  boolean downOnPut;
  int startingPolls;
  int flaky;
  int calls;
  int changedPuts;
  private int containers;

  private static final class Svc {
    ServiceSpec spec;
    String digest;
    long generation;
    long observed;
    int pendingPolls;
    int runningPolls;
    int starting;
    boolean deleting;
    List<ServiceStatus.Replica> replicas = List.of();
    ServiceStatus.LastError lastError;
  }

  FakeAgent(String name, Map<String, String> labels, List<String> journal) {
    this.name = name;
    this.labels = labels;
    this.journal = journal;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, String> labels() {
    return labels;
  }

  private void call(String what) throws AgentException {
    calls++;
    if (down) {
      throw new AgentException(
          what + " on http://" + name + ":7070/: Connection refused",
          new java.net.ConnectException("Connection refused"));
    }
    if (flaky > 0) {
      flaky--;
      throw new AgentException(what + " on " + name + ": 503 agent is stopping", 503, null, true);
    }
  }

  @Override
  public synchronized PutResult put(String service, ServiceSpec spec) throws AgentException {
    call("put service " + service);
    if (downOnPut) {
      throw new AgentException(
          "put service " + service + " on http://" + name + ":7070/: Connection reset",
          new java.io.IOException("Connection reset"));
    }
    if (refused.test(spec)) {
      throw new AgentException(
          "put service " + service + " on " + name + ": 422 image: not in this host's store",
          422,
          List.of(new dev.stamp.agent.api.Problem("image", "not in this host's store")),
          false);
    }
    String digest = SpecDigest.of(spec);
    Svc s = services.get(service);
    if (s != null && !s.deleting && s.digest.equals(digest)) {
      return new PutResult(service, s.generation, false, digest);
    }
    if (s == null) {
      s = new Svc();
      services.put(service, s);
    }
    s.deleting = false;
    s.spec = spec;
    s.digest = digest;
    s.generation++;
    s.pendingPolls = 1;
    changedPuts++;
    journal.add("put " + name + " " + service + " " + s.generation);
    return new PutResult(service, s.generation, true, digest);
  }

  @Override
  public synchronized Optional<ServiceStatus> status(String service) throws AgentException {
    call("get " + service);
    Svc s = services.get(service);
    if (s == null) {
      return Optional.empty();
    }
    if (s.deleting) {
      services.remove(service);
      journal.add("removed " + name + " " + service);
      return Optional.empty();
    }
    advance(service, s);
    return Optional.of(status(service, s));
  }

  private void advance(String service, Svc s) {
    // like the agent: a generation counts as observed once its replicas pass their checks
    if (s.starting > 0) {
      if (--s.starting == 0) {
        s.replicas = withHealth(s.replicas, "healthy");
        s.observed = s.generation;
        journal.add("healthy " + name + " " + service + " " + s.generation);
      }
      return;
    }
    if (s.observed >= s.generation && crashing.test(s.spec) && s.runningPolls++ > 0) {
      List<ServiceStatus.Replica> dead = new ArrayList<>();
      for (ServiceStatus.Replica r : s.replicas) {
        dead.add(
            new ServiceStatus.Replica(
                r.index(), r.container(), r.image(), "exited", null, false, null, null));
      }
      s.replicas = dead;
      return;
    }
    if (s.observed >= s.generation
        || (s.lastError != null && s.lastError.generation() == s.generation)) {
      return;
    }
    if (s.pendingPolls > 0) {
      s.pendingPolls--;
      return;
    }
    if (neverReady.test(s.spec)) {
      return;
    }
    if (failing.test(s.spec)) {
      s.lastError =
          new ServiceStatus.LastError(
              s.generation,
              "replace " + service + ": replica 1 never became healthy",
              List.of("starting " + s.spec.image(), "health check failed: exit 1"),
              "2026-01-01T00:00:00Z",
              true);
      journal.add("failed " + name + " " + service + " " + s.generation);
      return;
    }
    List<ServiceStatus.Replica> fresh = new ArrayList<>();
    for (int i = 1; i <= s.spec.replicaCount(); i++) {
      fresh.add(
          new ServiceStatus.Replica(
              i, "c" + (++containers), s.spec.image(), "running", null, false, null, null));
    }
    s.starting = startingPolls;
    s.replicas = startingPolls > 0 ? withHealth(fresh, "starting") : fresh;
    if (startingPolls == 0) {
      s.observed = s.generation;
    }
    s.lastError = null;
    journal.add("running " + name + " " + service + " " + s.generation);
  }

  private ServiceStatus status(String service, Svc s) {
    String state;
    if (s.deleting) {
      state = "deleting"; // as the agent lists a service it is removing
    } else if (s.lastError != null && s.lastError.generation() == s.generation) {
      state = s.observed > 0 ? "degraded" : "failed";
    } else if (s.observed == s.generation) {
      state = "running";
    } else {
      state = "progressing";
    }
    return new ServiceStatus(
        service, s.generation, s.observed, state, s.digest, s.replicas, null, s.lastError);
  }

  @Override
  public synchronized List<ServiceStatus> services() throws AgentException {
    call("list services");
    List<ServiceStatus> out = new ArrayList<>();
    services.forEach((n, s) -> out.add(status(n, s)));
    return out;
  }

  @Override
  public synchronized void delete(String service) throws AgentException {
    call("delete service " + service);
    Svc s = services.get(service);
    if (s == null) {
      throw new AgentException(
          "delete service " + service + " on " + name + ": 404 not found", 404, null, false);
    }
    s.deleting = true;
    journal.add("delete " + name + " " + service);
  }

  private static List<ServiceStatus.Replica> withHealth(
      List<ServiceStatus.Replica> replicas, String health) {
    List<ServiceStatus.Replica> out = new ArrayList<>();
    for (ServiceStatus.Replica r : replicas) {
      out.add(
          new ServiceStatus.Replica(
              r.index(), r.container(), r.image(), r.state(), health, false, null, null));
    }
    return out;
  }

  /** The spec the agent holds for {@code service}, if any. */
  synchronized Optional<ServiceSpec> spec(String service) {
    Svc s = services.get(service);
    return s == null || s.deleting ? Optional.empty() : Optional.of(s.spec);
  }

  synchronized List<String> names() {
    return List.copyOf(services.keySet());
  }

  /** Marks replica 1 of {@code service} as drifted ({@code /etc/x} changed). */
  synchronized void drift(String service) {
    Svc s = services.get(service);
    List<ServiceStatus.Replica> rs = new ArrayList<>(s.replicas);
    ServiceStatus.Replica r = rs.get(0);
    rs.set(
        0,
        new ServiceStatus.Replica(
            r.index(), r.container(), r.image(), r.state(), null, true, List.of("/etc/x"), null));
    s.replicas = rs;
  }

  /** Puts {@code spec} as another controller (or a person) would, already running. */
  synchronized void preload(String service, ServiceSpec spec) {
    Svc s = new Svc();
    s.spec = spec;
    s.digest = SpecDigest.of(spec);
    s.generation = 1;
    s.observed = 1;
    s.replicas =
        List.of(
            new ServiceStatus.Replica(
                1, "other", spec.image(), "running", null, false, null, null));
    services.put(service, s);
  }
}
