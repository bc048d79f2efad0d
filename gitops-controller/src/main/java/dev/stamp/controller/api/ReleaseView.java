package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One release: a commit rolled out (or being rolled out) to the app's hosts. {@code state}: {@code
 * pending}, {@code building}, {@code rolling_out}, {@code succeeded}, {@code failed}, {@code
 * rolled_back}; {@code trigger}: {@code poll}, {@code webhook}, {@code manual}, {@code rollback};
 * {@code digests}: service to image digest; {@code hosts}: the result per host and service; {@code
 * policy}: what the policy gate found (a waived finding did not block); {@code error}: why it
 * failed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReleaseView(
    long id,
    String app,
    String commit,
    String shortCommit,
    String author,
    String message,
    String state,
    String trigger,
    String startedAt,
    String finishedAt,
    Map<String, String> digests,
    List<HostResult> hosts,
    List<PolicyFinding> policy,
    Long revertOf,
    String error) {

  public ReleaseView {
    digests = digests == null ? Map.of() : Map.copyOf(digests);
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
    policy = policy == null ? List.of() : List.copyOf(policy);
  }

  /**
   * One service on one host ({@code result}: {@code pending}, {@code replaced}, {@code unchanged},
   * {@code failed}, {@code rolled_back}, {@code skipped}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HostResult(String host, String service, String result, String message) {}

  /**
   * One policy finding ({@code severity}: {@code error} blocks unless waived, {@code warning} does
   * not); {@code location}: file and line, e.g. {@code apps/shop/web/Dockerfile:3}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PolicyFinding(
      String rule, String severity, String location, String message, boolean waived) {}
}
