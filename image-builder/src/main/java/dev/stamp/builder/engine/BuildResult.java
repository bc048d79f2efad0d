package dev.stamp.builder.engine;

import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import java.util.List;

/**
 * What a build produced: the image (manifest digest, id), a report per step, and the build args
 * given that no ARG declared (Docker warns about them), and the target stage's cache key (what
 * {@link ImageBuilder#plan} predicts for the same inputs).
 */
public record BuildResult(
    Image image, List<StepReport> steps, List<String> unusedBuildArgs, String cacheKey) {

  public BuildResult {
    steps = List.copyOf(steps);
    unusedBuildArgs = List.copyOf(unusedBuildArgs);
  }

  public Digest manifestDigest() {
    return image.manifestDigest();
  }

  public Digest imageId() {
    return image.id();
  }

  public long cachedSteps() {
    return steps.stream().filter(StepReport::cached).count();
  }
}
