package dev.stamp.policies;

import java.util.Optional;

/**
 * What a check may consult besides its subject: the effective configuration (allow-lists, limits),
 * and the other subjects of the same run, so a spec rule can look at the Dockerfile and image of a
 * service.
 */
public interface RuleContext {

  PolicyConfig config();

  /** The Dockerfile subject at {@code path} (repository-relative, as the spec names it). */
  Optional<DockerfileView> dockerfile(String path);

  /** The image built for {@code service} of {@code app}, if one is checked in this run. */
  Optional<ImageSubject> image(String app, String service);
}
