package dev.stamp.builder.engine;

import java.util.List;

/** How a RUN ended: its exit code and the last lines it printed (stdout and stderr merged). */
public record RunResult(int exitCode, List<String> outputTail) {

  public RunResult {
    outputTail = List.copyOf(outputTail);
  }
}
