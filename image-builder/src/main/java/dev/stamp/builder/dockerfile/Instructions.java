package dev.stamp.builder.dockerfile;

import dev.stamp.builder.BuildException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The typed form of a Dockerfile: the ARGs before the first FROM (global: visible to FROM lines
 * only) and the stages. {@link #of} validates every instruction and every stage reference; {@link
 * #resolve} applies build arguments and picks the stages a target needs. {@code escape} is the
 * Dockerfile's escape token, used when words are processed.
 */
public record Instructions(
    String file, char escape, List<ArgInstruction> globalArgs, List<Stage> stages) {

  public Instructions {
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
  }

  /** Parses and validates {@code dockerfile}'s nodes. */
  public static Instructions of(Dockerfile dockerfile) throws DockerfileSyntaxException {
    InstructionParser parser =
        new InstructionParser(dockerfile.name(), dockerfile.directives().escape());
    List<ArgInstruction> globals = new ArrayList<>();
    List<StageDraft> drafts = new ArrayList<>();
    for (Node node : dockerfile.nodes()) {
      Instruction instruction = parser.parse(node);
      if (instruction instanceof FromInstruction from) {
        drafts.add(new StageDraft(from, new ArrayList<>(), node));
      } else if (drafts.isEmpty()) {
        if (!(instruction instanceof ArgInstruction arg)) {
          throw DockerfileSyntaxException.at(
              dockerfile.name(),
              node.location().start(),
              node.keyword().toUpperCase(java.util.Locale.ROOT)
                  + " before the first FROM: no build stage in current context");
        }
        globals.add(arg);
      } else {
        drafts.get(drafts.size() - 1).instructions().add(instruction);
      }
    }
    if (drafts.isEmpty()) {
      throw new DockerfileSyntaxException(
          dockerfile.name(),
          dockerfile.nodes().get(0).location().line(),
          1,
          "no FROM instruction: a Dockerfile needs at least one build stage");
    }
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < drafts.size(); i++) {
      StageDraft d = drafts.get(i);
      Optional<String> name = d.from().stageName();
      if (name.isPresent()) {
        for (Stage earlier : stages) {
          if (earlier.isNamed(name.get())) {
            throw DockerfileSyntaxException.at(
                dockerfile.name(),
                d.node().argPosition(2),
                "duplicate stage name \"" + name.get() + "\"");
          }
        }
      }
      stages.add(new Stage(i, name, d.from(), d.instructions()));
    }
    Instructions result =
        new Instructions(dockerfile.name(), dockerfile.directives().escape(), globals, stages);
    StageReferences.validate(result, dockerfile);
    return result;
  }

  private record StageDraft(FromInstruction from, List<Instruction> instructions, Node node) {}

  /** The stage named {@code ref} (any case), or numbered {@code ref}. */
  public Optional<Stage> stage(String ref) {
    for (Stage s : stages) {
      if (s.isNamed(ref)) {
        return Optional.of(s);
      }
    }
    if (ref.matches("\\d{1,9}")) {
      int index = Integer.parseInt(ref);
      if (index < stages.size()) {
        return Optional.of(stages.get(index));
      }
    }
    return Optional.empty();
  }

  /** Applies {@code args} and picks the stages {@code target} (empty: the last stage) needs. */
  public BuildPlan resolve(BuildArgs args, Optional<String> target) throws BuildException {
    return StageResolver.resolve(this, args, target, image -> java.util.Map.of());
  }

  /**
   * As {@link #resolve(BuildArgs, Optional)}, with the environment of external base images (the
   * engine reads it from their configs) so ENV lines can refer to e.g. {@code $PATH}.
   */
  public BuildPlan resolve(
      BuildArgs args, Optional<String> target, StageResolver.BaseImageEnv baseImageEnv)
      throws BuildException {
    return StageResolver.resolve(this, args, target, baseImageEnv);
  }
}
