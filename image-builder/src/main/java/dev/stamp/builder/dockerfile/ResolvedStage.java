package dev.stamp.builder.dockerfile;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stage with build arguments applied: its base (FROM expanded with the global ARGs), platform,
 * steps (ONBUILD triggers of a stage base first), and the ENV it ends with.
 */
public record ResolvedStage(
    int index,
    Optional<String> name,
    BaseRef base,
    Optional<String> platform,
    List<ResolvedStep> steps,
    Map<String, String> env) {

  public ResolvedStage {
    steps = List.copyOf(steps);
    env = Map.copyOf(env);
  }

  public String displayName() {
    return name.orElse("stage-" + index);
  }
}
