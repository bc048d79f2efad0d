package dev.stamp.runtime.service;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.runtime.network.PortMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Stamp wrote down about one replicated service, in {@code ROOT/services/NAME.json}: written
 * in state {@code creating} before the first replica exists (so {@code rm} can undo a run killed at
 * any point: replicas are also found by their names {@code NAME-1..NAME-N}), {@code running} once
 * the front is published, {@code removing} while it is taken down. {@code health} is the check as
 * given until the replicas exist, then the one in effect (merged over the image's HEALTHCHECK and
 * {@link Services#DEFAULT_HEALTH}).
 */
public record ServiceRecord(
    String name,
    int replicas,
    String image,
    PortMapping front,
    @JsonDeserialize(using = RecordedHealth.class) HealthCheck health,
    List<String> containers,
    Integer monitorPid,
    Long monitorStart,
    String state) {

  public static final String CREATING = "creating";
  public static final String RUNNING = "running";
  public static final String REMOVING = "removing";

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

  ServiceRecord running(PortMapping published) {
    return new ServiceRecord(
        name, replicas, image, published, health, containers, monitorPid, monitorStart, RUNNING);
  }

  ServiceRecord withHealth(HealthCheck effective) {
    return new ServiceRecord(
        name, replicas, image, front, effective, containers, monitorPid, monitorStart, state);
  }

  ServiceRecord withState(String next) {
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
