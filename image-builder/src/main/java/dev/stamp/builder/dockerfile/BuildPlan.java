package dev.stamp.builder.dockerfile;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the engine builds for one target: the needed stages in build order (each after the stages it
 * depends on through FROM, {@code COPY --from} and {@code RUN --mount=from}), the dependency graph
 * of all stages, and the build arguments no ARG declared.
 */
public record BuildPlan(
    int target,
    List<ResolvedStage> stages,
    Map<Integer, Set<Integer>> dependencies,
    List<String> unusedBuildArgs) {

  public BuildPlan {
    stages = List.copyOf(stages);
    dependencies = Map.copyOf(dependencies);
    unusedBuildArgs = List.copyOf(unusedBuildArgs);
  }

  /** The stage the build produces. */
  public ResolvedStage targetStage() {
    return stage(target).orElseThrow();
  }

  /** A needed stage by index. */
  public Optional<ResolvedStage> stage(int index) {
    return stages.stream().filter(s -> s.index() == index).findFirst();
  }
}
