package dev.stamp.controller.rollout;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.AgentException;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One target host as a rollout sees it: its name and labels (what placement constraints match) and
 * its agent's service calls.
 */
public interface HostAgent {

  /** The host's name ({@code node.hostname} in constraints). */
  String name();

  /** The host's labels ({@code node.labels.KEY} in constraints). */
  Map<String, String> labels();

  /** {@code PUT /v1/services/{service}}: the same spec again changes nothing. */
  PutResult put(String service, ServiceSpec spec) throws AgentException;

  /** {@code GET /v1/services/{service}}; empty when the agent does not know it. */
  Optional<ServiceStatus> status(String service) throws AgentException;

  /** {@code GET /v1/services}: every service of the agent, of every app. */
  List<ServiceStatus> services() throws AgentException;

  /** {@code DELETE /v1/services/{service}}: the agent removes it in the background. */
  void delete(String service) throws AgentException;

  /** A host whose agent {@code client} talks to. */
  static HostAgent of(String name, Map<String, String> labels, AgentClient client) {
    return new ClientHostAgent(name, Map.copyOf(labels), client);
  }

  /** {@link #of}: every call is the client's. */
  record ClientHostAgent(String name, Map<String, String> labels, AgentClient client)
      implements HostAgent {

    @Override
    public PutResult put(String service, ServiceSpec spec) throws AgentException {
      return client.putService(service, spec);
    }

    @Override
    public Optional<ServiceStatus> status(String service) throws AgentException {
      return client.service(service);
    }

    @Override
    public List<ServiceStatus> services() throws AgentException {
      return client.services();
    }

    @Override
    public void delete(String service) throws AgentException {
      client.deleteService(service);
    }

    @Override
    public String toString() {
      return "host " + name + " (" + client.base() + ")";
    }
  }
}
