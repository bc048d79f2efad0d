package dev.stamp.runtime.service;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.stamp.runtime.health.HealthCheck;
import java.time.Instant;
import java.util.Locale;

/**
 * The replace in flight, written into the service's record ({@code ROOT/services/NAME.json}, key
 * {@code "replace"}, while the state is {@code replacing}) <em>before</em> each step acts, so a
 * replace killed at any point can be finished or rolled back from the record and the host alone.
 * Replicas are replaced in batches of {@code update.parallelism} (one by default); those already
 * done are in the record's {@code containers} (and are not touched again); this names one replica
 * in progress (the record's {@code replace}: the first of its batch; {@code batch}: the others):
 *
 * <pre>{@code
 * "replace": {
 *   "startedAt": "2026-12-06T11:40:00Z", "order": "start-first", "image": "base:2",
 *   "generation": 1,            // the record's generation once this replace is done
 *   "replica": 2,               // 1-based index into containers
 *   "oldContainer": "<64 hex>", // containers[replica-1] when the step began
 *   "newName": "web-2.1",       // ServiceRecord.replicaName(service, replica, generation)
 *   "newContainer": "<64 hex>", // null until created (it may exist by newName alone)
 *   "step": "create",           // see Step
 *   "health": {"Test": ["HTTP", "/ready"], ...} // the check gating the new container (the new
 *                               // spec's, in effect); the record's health once the replace is done
 * }
 * }</pre>
 *
 * <p>Recovery of a record found in state {@code replacing} ({@link Services#recover}): for the
 * {@link Step} written last, roll back = put the backends back to the record's {@code containers}'
 * addresses ({@code setBackends}) and remove the new container (by {@code newContainer}, else by
 * {@code newName}); finish = the steps from there on. Start-first: {@code create} and {@code
 * health} roll back (the old one still serves), {@code switch} either way, {@code retire} finishes
 * (the new one serves: drain, stop and remove the old, then {@code containers[replica-1] =
 * newContainer}). Stop-first retires the old one first: from {@code retire} on, the old one may be
 * gone, so only finishing restores the replica. Then {@code replace} is cleared and the state set
 * back to {@code running}. {@code stamp service rm} removes the new container too.
 *
 * <p>{@link Services#scale} and {@link Services#replaceReplica} record their steps the same way: a
 * replica being added is start-first with no {@code oldContainer} (finishing appends it to {@code
 * containers}); one being removed is stop-first at {@code retire} with no {@code newName}
 * (finishing drops it).
 */
public record ReplaceRecord(
    String startedAt,
    Order order,
    String image,
    int generation,
    int replica,
    String oldContainer,
    String newName,
    String newContainer,
    Step step,
    @JsonDeserialize(using = RecordedHealth.class) HealthCheck health) {

  /** Which replica of a pair runs first. */
  public enum Order {
    /** Start the new one beside the old, switch, then retire the old (Docker's start-first). */
    START_FIRST,
    /** Retire the old one (out of the backends, drained, stopped, removed), then start the new. */
    STOP_FIRST;

    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static Order of(String label) {
      return valueOf(label.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  /** The step about to act (written before it acts). */
  public enum Step {
    /** Create and start the new container named {@code newName}. */
    CREATE,
    /** {@code newContainer} runs; waiting for it to become healthy. */
    HEALTH,
    /** Put {@code newContainer} into the backends in place of {@code oldContainer}. */
    SWITCH,
    /** Take {@code oldContainer} out of the backends, drain, stop and remove it. */
    RETIRE;

    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Step of(String label) {
      return valueOf(label.strip().toUpperCase(Locale.ROOT));
    }
  }

  /**
   * The check gating the new container: {@code health}, else (a record written before the replace
   * kept it) the service's own.
   */
  HealthCheck check(ServiceRecord service) {
    return health != null ? health : service.health();
  }

  /** The first step of replacing {@code replica}, starting now: no new container yet. */
  static ReplaceRecord begin(
      Order order,
      String image,
      int generation,
      int replica,
      String oldContainer,
      String newName,
      Step step,
      HealthCheck health) {
    return new ReplaceRecord(
        Instant.now().toString(),
        order,
        image,
        generation,
        replica,
        oldContainer,
        newName,
        null,
        step,
        health);
  }

  ReplaceRecord at(Step next) {
    return with(newContainer, next);
  }

  ReplaceRecord withNewContainer(String id) {
    return with(id, step);
  }

  /** This record with {@code container} and {@code next}; every other field as it is. */
  private ReplaceRecord with(String container, Step next) {
    return new ReplaceRecord(
        startedAt,
        order,
        image,
        generation,
        replica,
        oldContainer,
        newName,
        container,
        next,
        health);
  }
}
