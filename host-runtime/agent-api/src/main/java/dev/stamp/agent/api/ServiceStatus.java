package dev.stamp.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A service as the agent observes it: which {@code generation} of the desired spec is asked for,
 * which one the running containers reflect ({@code observedGeneration}), each replica, a replace in
 * flight, and the last failure with the log tail of the container that failed.
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
   * One running container of the service. {@code drifted}: its root filesystem changed outside its
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
