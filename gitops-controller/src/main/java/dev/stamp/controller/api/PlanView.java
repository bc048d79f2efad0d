package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a sync of {@code app} to {@code commit} would do, and why, without doing it: each image to
 * build or reuse (by build key), each container to create, replace or remove per host, and the
 * {@code problems} that would stop it (a policy error, a bad compose file, an unreachable agent).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanView(
    String app, String commit, List<Build> builds, List<Change> changes, List<String> problems) {

  public PlanView {
    builds = builds == null ? List.of() : List.copyOf(builds);
    changes = changes == null ? List.of() : List.copyOf(changes);
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /**
   * One service's image: {@code action} {@code build} (no image with its build key exists), {@code
   * reuse} (one does: {@code digest}) or {@code pull} (the app names an {@code image:}); {@code
   * image} is the reference ({@code shop/web:0123456789ab}); {@code reason} says which input
   * changed or why the image is reused.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Build(
      String service, String action, String key, String image, String digest, String reason) {}

  /**
   * One service on one host: {@code action} {@code create}, {@code replace}, {@code unchanged} or
   * {@code remove}, from which digest to which, and why ({@code drift}, {@code new image}, {@code
   * spec changed}, …).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Change(
      String host,
      String service,
      String action,
      String fromDigest,
      String toDigest,
      String reason) {}
}
