package dev.stamp.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A service as the agent observes it: which {@code generation} of the desired spec is asked for,
 * which one the running containers reflect ({@code observedGeneration}), each replica, a replace in
 * flight, and the last failure with the log tail of the container that failed.
 *
 * <p>A generation is observed only once its replicas are healthy: a replace waits for each new
 * replica, a first deploy for every replica. {@code state}: {@code running} (the generation is
 * observed), {@code progressing}, {@code degraded} (this generation failed, an older one still
 * serves), {@code failed} (this generation failed and nothing older serves: a first deploy that
 * never got healthy, whose replicas the agent removed), {@code deleting}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceStatus(
    String name,
    long generation,
    long observedGeneration,
    String state,
    String specDigest,
    List<Replica> replicas,
    Replace replace,
    LastError lastError) {

  public ServiceStatus {
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
  }

  /**
   * One running container of the service. {@code health}: what the service's health monitor (the
   * one that keeps the published port's backends to the healthy replicas) last called it — {@code
   * healthy}, {@code unhealthy}, {@code starting} (not judged yet: before its first passing probe,
   * within its start period, or just after the monitor restarted), or {@code none} (the check in
   * effect is {@code NONE}); a replica that exited or is gone is {@code unhealthy}. Without a check
   * in the spec or the image, the agent's default TCP connect check is in effect, so {@code none}
   * means an explicit {@code NONE}. {@code drifted}: its root filesystem changed outside its
   * volumes, binds and tmpfs ({@code driftPaths}, sorted; {@code driftTruncated} when the bounded
   * walk stopped early); {@code execAt}: when {@code stamp exec} last ran a command in it (a drift
   * suspect even before a file changed).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Replica(
      int index,
      String container,
      String image,
      String state,
      String health,
      boolean drifted,
      List<String> driftPaths,
      String startedAt,
      Boolean driftTruncated,
      String execAt) {

    public Replica(
        int index,
        String container,
        String image,
        String state,
        String health,
        boolean drifted,
        List<String> driftPaths,
        String startedAt) {
      this(index, container, image, state, health, drifted, driftPaths, startedAt, null, null);
    }
  }

  /** A replace in flight: to which generation, how far. */
  public record Replace(long generation, String phase, int done, int total, String startedAt) {}

  /** The last failure: what was being done, the failing container's last log lines. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LastError(
      long generation, String message, List<String> logTail, String at, boolean retryable) {}
}
