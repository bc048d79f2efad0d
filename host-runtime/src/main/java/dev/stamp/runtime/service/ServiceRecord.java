package dev.stamp.runtime.service;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.stamp.runtime.StateTransitionException;
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
 * the fronts are published, {@code replacing} while {@link ServiceReplacer} swaps replicas (then
 * {@code replace} is the {@link ReplaceRecord} of the replace in flight: of the first replica of
 * the batch in flight, {@code batch} holding the batch's others, if any), {@code removing} while it
 * is taken down (see {@link ServiceState}: every change of state goes through {@link #moveTo},
 * which refuses illegal moves).
 *
 * <p>{@code containers} holds the current replicas' ids, in replica order; {@code generation}
 * counts finished replaces (0 in records from before replaces): replicas made by generation {@code
 * g > 0} are named {@code NAME-i.g}. {@code health} is the check as given until the replicas exist,
 * then the one in effect (merged over the image's HEALTHCHECK and {@link Services#DEFAULT_HEALTH}).
 *
 * <p>{@code fronts}: the service's published ports, as asked for until published, then as published
 * (host ports resolved); empty for a service that publishes none. Records written before services
 * could publish several ports carry one {@code front}: it reads as a list of one.
 */
public record ServiceRecord(
    String name,
    int replicas,
    String image,
    @JsonAlias("front") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<PortMapping> fronts,
    @JsonDeserialize(using = RecordedHealth.class) HealthCheck health,
    List<String> containers,
    Integer monitorPid,
    Long monitorStart,
    ServiceState state,
    int generation,
    ReplaceRecord replace,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ReplaceRecord> batch) {

  public ServiceRecord {
    fronts = fronts == null ? List.of() : List.copyOf(fronts);
    containers = containers == null ? List.of() : List.copyOf(containers);
    batch = batch == null ? List.of() : List.copyOf(batch);
  }

  /** Every replica step in flight, in replica order: {@code replace}, then {@code batch}. */
  @JsonIgnore
  public List<ReplaceRecord> inFlight() {
    List<ReplaceRecord> all = new ArrayList<>();
    if (replace != null) {
      all.add(replace);
    }
    all.addAll(batch);
    return all;
  }

  /** A record as {@code run} first writes it. */
  static ServiceRecord creating(
      String name, int replicas, String image, List<PortMapping> fronts, HealthCheck health) {
    return new ServiceRecord(
        name,
        replicas,
        image,
        fronts,
        health,
        List.of(),
        null,
        null,
        ServiceState.CREATING,
        0,
        null,
        List.of());
  }

  /** The container name of replica {@code index} (1-based), as Compose names them. */
  public static String replicaName(String service, int index) {
    return service + "-" + index;
  }

  /** The container name of replica {@code index} made by replace generation {@code generation}. */
  public static String replicaName(String service, int index, int generation) {
    return generation == 0
        ? replicaName(service, index)
        : replicaName(service, index) + "." + generation;
  }

  ServiceRecord withContainer(String id) {
    List<String> all = new ArrayList<>(containers);
    all.add(id);
    return withContainers(all);
  }

  ServiceRecord withContainers(List<String> ids) {
    return copy(f -> f.containers = ids);
  }

  ServiceRecord withReplicas(int count) {
    return copy(f -> f.replicas = count);
  }

  ServiceRecord withFronts(List<PortMapping> published) {
    return copy(f -> f.fronts = published);
  }

  /**
   * The port a replica is reached on for health checks and as a backend: the first front's target
   * (0 for a service that publishes none; only a check run inside the replica applies then).
   */
  public int targetPort() {
    return fronts.isEmpty() ? 0 : fronts.get(0).containerPort();
  }

  ServiceRecord withHealth(HealthCheck effective) {
    return copy(f -> f.health = effective);
  }

  /** With the replace in flight ({@code null}: none). */
  ServiceRecord withReplace(ReplaceRecord next) {
    return withInFlight(next == null ? List.of() : List.of(next));
  }

  /** With the steps of a batch in flight (empty: none): the first as {@code replace}. */
  ServiceRecord withInFlight(List<ReplaceRecord> steps) {
    return copy(
        f -> {
          f.replace = steps.isEmpty() ? null : steps.get(0);
          f.batch = steps.isEmpty() ? List.of() : steps.subList(1, steps.size());
        });
  }

  /** After a replace: its image and generation, no replace in flight. */
  ServiceRecord replaced(String newImage, int newGeneration) {
    return copy(
        f -> {
          f.image = newImage;
          f.generation = newGeneration;
          f.replace = null;
          f.batch = List.of();
        });
  }

  /** This record in state {@code next}; a move {@link ServiceState#TRANSITIONS} refuses throws. */
  ServiceRecord moveTo(String action, ServiceState next) throws StateTransitionException {
    state.checkMove(action, next, null);
    return copy(f -> f.state = next);
  }

  ServiceRecord withMonitor(ProcessId monitor) {
    return copy(
        f -> {
          f.monitorPid = monitor == null ? null : monitor.pid();
          f.monitorStart = monitor == null ? null : monitor.startTime();
        });
  }

  /** This record's fields, to change some before {@link #copy} builds the new record. */
  private static final class Fields {
    String name;
    int replicas;
    String image;
    List<PortMapping> fronts;
    HealthCheck health;
    List<String> containers;
    Integer monitorPid;
    Long monitorStart;
    ServiceState state;
    int generation;
    ReplaceRecord replace;
    List<ReplaceRecord> batch;
  }

  /** A copy with {@code change} applied: every wither goes through here, so no field is lost. */
  private ServiceRecord copy(java.util.function.Consumer<Fields> change) {
    Fields f = new Fields();
    f.name = name;
    f.replicas = replicas;
    f.image = image;
    f.fronts = fronts;
    f.health = health;
    f.containers = containers;
    f.monitorPid = monitorPid;
    f.monitorStart = monitorStart;
    f.state = state;
    f.generation = generation;
    f.replace = replace;
    f.batch = batch;
    change.accept(f);
    return new ServiceRecord(
        f.name,
        f.replicas,
        f.image,
        f.fronts,
        f.health,
        f.containers,
        f.monitorPid,
        f.monitorStart,
        f.state,
        f.generation,
        f.replace,
        f.batch);
  }

  /** The process keeping the service's backends to its healthy replicas, if one was started. */
  public Optional<ProcessId> monitor() {
    return monitorPid == null || monitorStart == null
        ? Optional.empty()
        : Optional.of(new ProcessId(monitorPid, monitorStart));
  }
}
