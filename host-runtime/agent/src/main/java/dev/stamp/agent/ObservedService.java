package dev.stamp.agent;

import dev.stamp.agent.api.ServiceStatus;

/**
 * What the agent last made true for a service ({@code ROOT/agent/observed/NAME.json}): the
 * generation and spec digest its containers reflect, and the last failure, if the latest generation
 * failed.
 */
public record ObservedService(
    String name, long generation, String specDigest, ServiceStatus.LastError lastError) {

  ObservedService failed(ServiceStatus.LastError error) {
    return new ObservedService(name, generation, specDigest, error);
  }
}
