package dev.stamp.builder.dockerfile;

import java.util.Map;

/**
 * One instruction of a resolved stage, variables substituted, with the scope it runs in: the ENV
 * variables and the ARG values (declared in the stage, with a value) as they were before it. A RUN
 * gets both as its environment; the image keeps only ENV.
 */
public record ResolvedStep(
    Instruction instruction, Map<String, String> env, Map<String, String> args) {

  public ResolvedStep {
    env = Map.copyOf(env);
    args = Map.copyOf(args);
  }
}
