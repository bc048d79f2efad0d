package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One app as {@code GET /api/v1/apps/{app}} shows it: where it comes from ({@code repository},
 * {@code branch}, {@code path} of its compose file), how far the hosts are from Git ({@code state}:
 * {@code synced}, {@code out_of_sync}, {@code syncing}, {@code waiting} (a retryable failure,
 * retried with backoff), {@code stalled} (needs a person), {@code unknown}), with a one-line {@code
 * message}, the commit Git asks for, the release running, and each service. Times are ISO-8601 UTC.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppView(
    String name,
    String repository,
    String branch,
    String path,
    String state,
    String message,
    String desiredCommit,
    String syncedCommit,
    Long currentRelease,
    String lastSyncAt,
    List<ServiceView> services) {

  public AppView {
    services = services == null ? List.of() : List.copyOf(services);
  }

  /**
   * One service of the app: the image Git asks for ({@code image}, by digest once built), the
   * replicas wanted, and what each host runs.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServiceView(
      String name, String image, String digest, Integer replicas, List<HostServiceView> hosts) {

    public ServiceView {
      hosts = hosts == null ? List.of() : List.copyOf(hosts);
    }
  }

  /**
   * A service on one host as its agent reports it ({@code state}: the agent's, e.g. {@code
   * running}; {@code health}: {@code healthy}, {@code unhealthy}, {@code starting}, {@code none});
   * {@code drifted}: a container's root filesystem changed after start and it will be replaced.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HostServiceView(
      String host,
      String state,
      String health,
      String digest,
      Integer replicas,
      Boolean drifted,
      String message) {}
}
