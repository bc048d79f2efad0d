package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;

/**
 * Runs one RUN step over a snapshot: an overlay of {@link RunRequest#lowerDirs()} with {@link
 * RunRequest#upperDir()} on top. After {@link #run} returns, the upper directory holds exactly the
 * step's changes (overlay whiteouts for deletions) and becomes the step's layer.
 *
 * <p>{@link ImageBuilder#defaultExecutor} is {@link RuntimeRunExecutor}: each step a Stamp
 * container.
 */
public interface RunExecutor {

  /** Runs the step to completion; a non-zero exit is a result, not an exception. */
  RunResult run(RunRequest request) throws BuildException;
}
