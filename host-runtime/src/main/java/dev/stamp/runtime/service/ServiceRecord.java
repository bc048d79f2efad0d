package dev.stamp.runtime.service;

import dev.stamp.runtime.StateTransitionException;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.PortMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Stamp wrote down about one replicated service, in {@code ROOT/services/NAME.json}: written
 * in state {@code creating} before the first replica exists (so {@code rm} can undo a run killed at
 * any point: replicas are also found by their names {@code NAME-1..NAME-N}), {@code running} once
 * the front is published, {@code removing} while it is taken down (see {@link ServiceState}: every
 * change of state goes through {@link #moveTo}, which refuses illegal moves).
 */
public record ServiceRecord(
    String name,
    int replicas,
    String image,
    PortMapping front,
    HealthSpec health,
    List<String> containers,
    Integer monitorPid,
    Long monitorStart,
    ServiceState state) {

  public ServiceRecord {
    containers = containers == null ? List.of() : List.copyOf(containers);
  }

  /** The container name of replica {@code index} (1-based), as Compose names them. */
  public static String replicaName(String service, int index) {
    return service + "-" + index;
  }

  ServiceRecord withContainer(String id) {
    List<String> all = new ArrayList<>(containers);
    all.add(id);
    return new ServiceRecord(
        name, replicas, image, front, health, all, monitorPid, monitorStart, state);
  }

  ServiceRecord withFront(PortMapping published) {
    return new ServiceRecord(
        name, replicas, image, published, health, containers, monitorPid, monitorStart, state);
  }

  /** This record in state {@code next}; a move {@link ServiceState#TRANSITIONS} refuses throws. */
  ServiceRecord moveTo(String action, ServiceState next) throws StateTransitionException {
    state.checkMove(action, next, null);
    return new ServiceRecord(
        name, replicas, image, front, health, containers, monitorPid, monitorStart, next);
  }

  ServiceRecord withMonitor(ProcessId monitor) {
    return new ServiceRecord(
        name,
        replicas,
        image,
        front,
        health,
        containers,
        monitor == null ? null : monitor.pid(),
        monitor == null ? null : monitor.startTime(),
        state);
  }

  /** The process keeping the service's backends to its healthy replicas, if one was started. */
  public Optional<ProcessId> monitor() {
    return monitorPid == null || monitorStart == null
        ? Optional.empty()
        : Optional.of(new ProcessId(monitorPid, monitorStart));
  }
}
