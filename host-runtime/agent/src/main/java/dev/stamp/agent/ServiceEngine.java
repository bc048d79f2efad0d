package dev.stamp.agent;

import dev.stamp.agent.api.Problem;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.HostRuntimeException;
import java.util.List;
import java.util.Optional;

/**
 * What the API asks of the host: make the desired services true (by replacement only), say what
 * runs, stream a container's log, pull an image. The API never touches containers itself.
 */
public interface ServiceEngine extends AutoCloseable {

  /**
   * What this host lacks for {@code spec} (image, bind sources, secret files, the published port),
   * checked before its desired record is written; empty when it can be deployed.
   */
  default List<CheckProblem> check(String name, ServiceSpec spec) throws HostRuntimeException {
    return List.of();
  }

  /**
   * One problem {@link #check} found; {@code conflict}: the host's state, not the spec, is at odds.
   */
  record CheckProblem(String field, String message, boolean conflict) {
    public Problem problem() {
      return new Problem(field, message);
    }
  }

  /** Wakes reconciliation for {@code name} (its desired record is already on disk). */
  void desiredChanged(String name);

  /** What runs for {@code desired}, merged with its desired record. */
  ServiceStatus observe(DesiredService desired) throws HostRuntimeException;

  /**
   * The log records of container {@code ref} (one of this agent's services'); with {@code follow}
   * the stream ends when the container exits. Throws NOT_FOUND before anything is streamed.
   */
  LogStream logs(String ref, boolean follow) throws HostRuntimeException;

  /** A container's log, found and ready to be written out. */
  @FunctionalInterface
  interface LogStream {
    void writeTo(java.io.OutputStream out) throws java.io.IOException;
  }

  /** Pulls {@code ref} (by digest) into the host's store; returns the manifest digest. */
  String pull(String ref) throws HostRuntimeException;

  /** The engine's own state for a name, when the agent has no desired record of it. */
  default Optional<ServiceStatus> orphan(String name) {
    return Optional.empty();
  }

  @Override
  void close();
}
