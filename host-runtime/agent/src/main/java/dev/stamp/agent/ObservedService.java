package dev.stamp.agent;

import dev.stamp.agent.api.ServiceStatus;

/**
 * What the agent last made true for a service ({@code ROOT/agent/observed/NAME.json}): the
 * generation and spec digest its containers reflect, the last failure, if the latest generation
 * failed, and the digest of the containers' template ({@link HostEngine#templateDigest}: a spec
 * whose template is the same only scales; null in records of older agents).
 */
public record ObservedService(
    String name,
    long generation,
    String specDigest,
    ServiceStatus.LastError lastError,
    String templateDigest) {

  ObservedService failed(ServiceStatus.LastError error) {
    return new ObservedService(name, generation, specDigest, error, templateDigest);
  }
}
