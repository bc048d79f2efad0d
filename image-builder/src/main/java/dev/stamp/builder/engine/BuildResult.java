package dev.stamp.builder.engine;

import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import java.util.List;

/** What a build produced: the image (manifest digest, id), and a report per step. */
public record BuildResult(Image image, List<StepReport> steps) {

  public BuildResult {
    steps = List.copyOf(steps);
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
