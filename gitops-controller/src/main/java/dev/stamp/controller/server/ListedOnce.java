package dev.stamp.controller.server;

import dev.stamp.agent.api.AgentException;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.rollout.HostAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hosts as one reconcile pass of a repository sees them: each host's service list is asked for
 * once per pass (a pass plans every app of the repository, and each plan reads every host: 100 apps
 * on 100 hosts were 10,000 list calls, ~7 s over loopback in {@code bench/controller-scale.sh}) and
 * forgotten when the pass ends or the controller itself changes that host (a PUT or a DELETE).
 * Per-service status reads, which rollouts wait on, always go to the agent.
 */
final class ListedOnce {

  private final List<HostAgent> hosts;
  private final Map<String, List<ServiceStatus>> listed = new ConcurrentHashMap<>();
  private volatile boolean inPass;

  ListedOnce(List<HostAgent> agents) {
    List<HostAgent> wrapped = new ArrayList<>();
    for (HostAgent h : agents) {
      wrapped.add(new Cached(h));
    }
    this.hosts = List.copyOf(wrapped);
  }

  List<HostAgent> hosts() {
    return hosts;
  }

  /** Lists are kept from now until {@link #endPass}. */
  void beginPass() {
    listed.clear();
    inPass = true;
  }

  void endPass() {
    inPass = false;
    listed.clear();
  }

  private final class Cached implements HostAgent {
    private final HostAgent host;

    Cached(HostAgent host) {
      this.host = host;
    }

    @Override
    public String name() {
      return host.name();
    }

    @Override
    public Map<String, String> labels() {
      return host.labels();
    }

    @Override
    public PutResult put(String service, ServiceSpec spec) throws AgentException {
      listed.remove(host.name());
      try {
        return host.put(service, spec);
      } finally {
        listed.remove(host.name());
      }
    }

    @Override
    public Optional<ServiceStatus> status(String service) throws AgentException {
      return host.status(service);
    }

    @Override
    public List<ServiceStatus> services() throws AgentException {
      if (!inPass) {
        return host.services();
      }
      List<ServiceStatus> had = listed.get(host.name());
      if (had == null) {
        had = host.services();
        listed.put(host.name(), had);
      }
      return had;
    }

    @Override
    public void delete(String service) throws AgentException {
      listed.remove(host.name());
      try {
        host.delete(service);
      } finally {
        listed.remove(host.name());
      }
    }
  }
}
