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

  /**
   * Types and validates {@code dockerfile}'s nodes; a build refuses the file when anything is
   * wrong, with the first problem {@link #check} finds.
   */
  public static Instructions of(Dockerfile dockerfile) throws DockerfileSyntaxException {
    Checked checked = check(dockerfile);
    if (!checked.problems().isEmpty()) {
      throw checked.problems().get(0).toException();
    }
    return checked.instructions();
  }

  /**
   * The typed instructions of a syntactically valid Dockerfile and everything a build would refuse
   * in it, in the order the builder meets them ({@link #of} fails with the first). The instructions
   * leave out each node that has a problem, and every node before the first FROM but ARGs, so
   * linters can look at the rest.
   */
  public record Checked(Instructions instructions, List<BuildProblem> problems) {
    public Checked {
      problems = List.copyOf(problems);
    }
  }

  /** Types every node of {@code dockerfile}, collecting problems instead of stopping at one. */
  public static Checked check(Dockerfile dockerfile) {
    InstructionParser parser =
        new InstructionParser(dockerfile.name(), dockerfile.directives().escape());
    List<BuildProblem> problems = new ArrayList<>();
    List<ArgInstruction> globals = new ArrayList<>();
    List<StageDraft> drafts = new ArrayList<>();
    for (Node node : dockerfile.nodes()) {
      Instruction instruction;
      try {
        instruction = parser.parse(node);
      } catch (DockerfileSyntaxException e) {
        problems.add(problemOf(e));
        continue;
      }
      if (instruction instanceof FromInstruction from) {
        drafts.add(new StageDraft(from, new ArrayList<>(), node));
      } else if (drafts.isEmpty()) {
        if (!(instruction instanceof ArgInstruction arg)) {
          problems.add(
              new BuildProblem(
                  BuildProblem.Kind.BEFORE_FIRST_FROM,
                  dockerfile.name(),
                  node.location().start(),
                  node.keyword().toUpperCase(java.util.Locale.ROOT)
                      + " before the first FROM: no build stage in current context"));
          continue;
        }
        globals.add(arg);
      } else {
        drafts.get(drafts.size() - 1).instructions().add(instruction);
      }
    }
    if (drafts.isEmpty() && problems.isEmpty()) { // else the first problem explains it
      problems.add(
          new BuildProblem(
              BuildProblem.Kind.NO_STAGE,
              dockerfile.name(),
              new Position(dockerfile.nodes().get(0).location().line(), 1),
              "no FROM instruction: a Dockerfile needs at least one build stage"));
    }
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < drafts.size(); i++) {
      StageDraft d = drafts.get(i);
      Optional<String> name = d.from().stageName();
      String wanted = name.orElse(null);
      if (wanted != null && stages.stream().anyMatch(s -> s.isNamed(wanted))) {
        problems.add(
            new BuildProblem(
                BuildProblem.Kind.DUPLICATE_STAGE_NAME,
                dockerfile.name(),
                d.node().argPosition(2),
                "duplicate stage name \"" + name.get() + "\""));
        name = Optional.empty();
      }
      stages.add(new Stage(i, name, d.from(), d.instructions()));
    }
    Instructions result =
        new Instructions(dockerfile.name(), dockerfile.directives().escape(), globals, stages);
    StageReferences.validate(result, dockerfile, problems);
    return new Checked(result, problems);
  }

  private static BuildProblem problemOf(DockerfileSyntaxException e) {
    return e.problem()
        .orElseGet(
            () ->
                new BuildProblem(
                    BuildProblem.Kind.INVALID_ARGUMENT,
                    e.file(),
                    new Position(e.line(), e.column()),
                    e.detail()));
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
