package dev.stamp.builder.engine;

import java.util.List;

/**
 * What {@link ImageBuilder#plan} computes without building: the target stage's cache key (equal to
 * {@link BuildResult#cacheKey()} of a build of the same inputs, so unchanged inputs mean the image
 * can be reused) and each step's key, stage by stage in build order.
 */
public record BuildKeys(String cacheKey, List<Step> steps) {

  public BuildKeys {
    steps = List.copyOf(steps);
  }

  /** One step: its stage, position in the stage (from 1), the instruction as shown, its key. */
  public record Step(String stage, int index, String text, String cacheKey) {}
}
