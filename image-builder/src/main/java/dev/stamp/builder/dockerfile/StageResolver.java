package dev.stamp.builder.dockerfile;

import dev.stamp.builder.BuildException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Applies Docker's scoping to typed instructions. Global ARGs (before the first FROM) are visible
 * to FROM lines only; inside a stage, {@code ARG NAME} brings a name into scope with the {@code
 * --build-arg} value, else its default, else the global value. ENV wins over ARG of the same name
 * and is inherited by stages built FROM this one. Every substitution in one instruction sees the
 * scope as it was before that instruction.
 */
public final class StageResolver {

  /** The ENV of an external base image (from its config), keyed by the expanded reference. */
  @FunctionalInterface
  public interface BaseImageEnv {
    Map<String, String> env(String imageRef) throws BuildException;
  }

  private final Instructions source;
  private final BuildArgs buildArgs;
  private final BaseImageEnv baseImageEnv;
  private final char escape;
  private final Map<String, String> globals = new LinkedHashMap<>();
  private final Set<String> declared = new HashSet<>();

  private StageResolver(Instructions source, BuildArgs args, BaseImageEnv env, char escape) {
    this.source = source;
    this.buildArgs = args;
    this.baseImageEnv = env;
    this.escape = escape;
  }

  static BuildPlan resolve(
      Instructions source, BuildArgs args, Optional<String> target, BaseImageEnv env)
      throws BuildException {
    return new StageResolver(source, args, env, source.escape()).plan(target);
  }

  private BuildPlan plan(Optional<String> target) throws BuildException {
    resolveGlobals();
    List<BaseRef> bases = new ArrayList<>();
    List<Optional<String>> platforms = new ArrayList<>();
    for (Stage stage : source.stages()) {
      FromInstruction from = stage.from();
      String image = expandGlobal(from.image(), from.location());
      if (image.isEmpty()) {
        throw error(from.location(), "base name (" + from.image() + ") should not be blank");
      }
      bases.add(baseOf(stage.index(), image, from.location()));
      platforms.add(
          from.platform().isPresent()
              ? Optional.of(expandGlobal(from.platform().get(), from.location()))
              : Optional.empty());
    }
    Map<Integer, Set<Integer>> deps = new TreeMap<>();
    Map<Integer, Map<Integer, SourceLocation>> edgeAt = new HashMap<>();
    for (Stage stage : source.stages()) {
      Map<Integer, SourceLocation> edges = dependencies(stage, bases.get(stage.index()));
      edgeAt.put(stage.index(), edges);
      deps.put(stage.index(), new TreeSet<>(edges.keySet()));
    }
    checkCycles(deps, edgeAt);
    int targetIndex = targetIndex(target);
    List<Integer> order = new ArrayList<>();
    visit(targetIndex, deps, new HashSet<>(), order);
    Map<Integer, ResolvedStage> resolved = new HashMap<>();
    List<ResolvedStage> stages = new ArrayList<>();
    for (int index : order) {
      ResolvedStage r =
          resolveStage(
              source.stages().get(index), bases.get(index), platforms.get(index), resolved);
      resolved.put(index, r);
      stages.add(r);
    }
    Map<Integer, Set<Integer>> frozen = new TreeMap<>();
    deps.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
    return new BuildPlan(targetIndex, stages, frozen, unusedBuildArgs());
  }

  // --- global scope -------------------------------------------------------------------------

  private void resolveGlobals() throws BuildException {
    globals.putAll(buildArgs.platformArgs());
    for (ArgInstruction arg : source.globalArgs()) {
      ArgInstruction expanded =
          (ArgInstruction) expand(arg, new Scope(Map.of(), new HashMap<>(globals)));
      for (ArgDeclaration d : expanded.args()) {
        declared.add(d.name());
        Optional<String> value = buildArgs.get(d.name()).or(d::defaultValue);
        if (value.isPresent()) {
          globals.put(d.name(), value.get());
        } else if (!buildArgs.platformArgs().containsKey(d.name())) {
          globals.remove(d.name());
        }
      }
    }
  }

  private String expandGlobal(String word, SourceLocation at) throws BuildException {
    try {
      return expander(new Scope(Map.of(), globals)).word(word);
    } catch (ExpansionException e) {
      throw error(at, e.getMessage());
    }
  }

  private BaseRef baseOf(int index, String image, SourceLocation at) throws BuildException {
    for (Stage earlier : source.stages().subList(0, index)) {
      if (earlier.isNamed(image)) {
        return BaseRef.stage(earlier.index());
      }
    }
    if (!ImageReferences.isValid(image)) {
      throw error(
          at, "FROM " + image + ": not an earlier stage's name nor a valid image reference");
    }
    return BaseRef.image(image);
  }

  // --- stage graph --------------------------------------------------------------------------

  private Map<Integer, SourceLocation> dependencies(Stage stage, BaseRef base) {
    Map<Integer, SourceLocation> edges = new LinkedHashMap<>();
    base.stage().ifPresent(i -> edges.put(i, stage.from().location()));
    for (Instruction i : stage.instructions()) {
      for (String ref : fromRefs(i)) {
        source.stage(ref).ifPresent(s -> edges.putIfAbsent(s.index(), i.location()));
      }
    }
    return edges;
  }

  private static List<String> fromRefs(Instruction i) {
    List<String> refs = new ArrayList<>();
    if (i instanceof CopyInstruction c) {
      c.from().ifPresent(refs::add);
    } else if (i instanceof RunInstruction r) {
      for (RunMount m : r.mounts()) {
        m.from().ifPresent(refs::add);
      }
    }
    return refs;
  }

  private void checkCycles(
      Map<Integer, Set<Integer>> deps, Map<Integer, Map<Integer, SourceLocation>> edgeAt)
      throws BuildException {
    Set<Integer> done = new HashSet<>();
    for (int start : deps.keySet()) {
      findCycle(start, deps, edgeAt, done, new LinkedHashSet<>());
    }
  }

  private void findCycle(
      int stage,
      Map<Integer, Set<Integer>> deps,
      Map<Integer, Map<Integer, SourceLocation>> edgeAt,
      Set<Integer> done,
      LinkedHashSet<Integer> path)
      throws BuildException {
    if (done.contains(stage)) {
      return;
    }
    path.add(stage);
    for (int dep : deps.get(stage)) {
      if (path.contains(dep)) {
        throw error(
            edgeAt.get(stage).get(dep),
            "circular dependency detected on stage: " + source.stages().get(dep).displayName());
      }
      findCycle(dep, deps, edgeAt, done, path);
    }
    path.remove(stage);
    done.add(stage);
  }

  private int targetIndex(Optional<String> target) throws BuildException {
    if (target.isEmpty() || target.get().isEmpty()) {
      return source.stages().size() - 1;
    }
    for (Stage s : source.stages()) {
      if (s.isNamed(target.get())) {
        return s.index();
      }
    }
    throw BuildException.notFound(
        "build target \"" + target.get() + "\": no stage with that name in " + source.file());
  }

  private static void visit(
      int stage, Map<Integer, Set<Integer>> deps, Set<Integer> seen, List<Integer> order) {
    if (!seen.add(stage)) {
      return;
    }
    for (int dep : deps.get(stage)) {
      visit(dep, deps, seen, order);
    }
    order.add(stage);
  }

  // --- one stage ----------------------------------------------------------------------------

  private ResolvedStage resolveStage(
      Stage stage, BaseRef base, Optional<String> platform, Map<Integer, ResolvedStage> done)
      throws BuildException {
    Map<String, String> env = new LinkedHashMap<>();
    List<Instruction> instructions = new ArrayList<>();
    if (base.isStage()) {
      env.putAll(done.get(base.stage().getAsInt()).env());
      Stage parent = source.stages().get(base.stage().getAsInt());
      for (Instruction i : parent.instructions()) {
        if (i instanceof OnbuildInstruction onbuild) {
          instructions.add(onbuild.trigger());
        }
      }
    } else if (!base.isScratch()) {
      env.putAll(baseImageEnv.env(base.image().get()));
    }
    instructions.addAll(stage.instructions());
    Map<String, String> args = new LinkedHashMap<>();
    List<ResolvedStep> steps = new ArrayList<>();
    for (Instruction instruction : instructions) {
      Map<String, String> argValues = withValues(args);
      Instruction expanded = expand(instruction, new Scope(env, argValues));
      steps.add(new ResolvedStep(expanded, env, argValues));
      apply(expanded, env, args);
    }
    return new ResolvedStage(stage.index(), stage.name(), base, platform, steps, env);
  }

  private void apply(Instruction expanded, Map<String, String> env, Map<String, String> args) {
    if (expanded instanceof EnvInstruction e) {
      for (KeyValue kv : e.variables()) {
        env.put(kv.key(), kv.value());
      }
    } else if (expanded instanceof ArgInstruction a) {
      for (ArgDeclaration d : a.args()) {
        declared.add(d.name());
        Optional<String> value =
            buildArgs
                .get(d.name())
                .or(d::defaultValue)
                .or(() -> Optional.ofNullable(globals.get(d.name())));
        args.put(d.name(), value.orElse(null));
      }
    }
  }

  private static Map<String, String> withValues(Map<String, String> args) {
    Map<String, String> out = new LinkedHashMap<>();
    args.forEach(
        (k, v) -> {
          if (v != null) {
            out.put(k, v);
          }
        });
    return out;
  }

  private List<String> unusedBuildArgs() {
    List<String> unused = new ArrayList<>();
    for (String name : new TreeSet<>(buildArgs.values().keySet())) {
      if (!declared.contains(name) && !BuildArgs.PREDEFINED.contains(name)) {
        unused.add(name);
      }
    }
    return unused;
  }

  // --- expansion ----------------------------------------------------------------------------

  /** The variables one instruction sees: ENV first, then ARG values. */
  private record Scope(Map<String, String> env, Map<String, String> args) {
    String lookup(String name) {
      String v = env.get(name);
      return v != null ? v : args.get(name);
    }
  }

  private Instruction expand(Instruction instruction, Scope scope) throws BuildException {
    try {
      return instruction.expand(expander(scope));
    } catch (ExpansionException e) {
      throw error(instruction.location(), e.getMessage());
    }
  }

  private Expander expander(Scope scope) {
    ShellLexer words = ShellLexer.of(escape);
    ShellLexer heredocs = ShellLexer.of('\\').withoutQuoteProcessing();
    Map<String, String> env = new HashMap<>(scope.env());
    Map<String, String> args = new HashMap<>(scope.args());
    Scope frozen = new Scope(env, args);
    return new Expander() {
      @Override
      public String word(String word) throws ExpansionException {
        try {
          return words.processWord(word, frozen::lookup);
        } catch (ExpansionException e) {
          throw new ExpansionException(
              "failed to process \"" + word + "\": " + e.getMessage(), e.offset());
        }
      }

      @Override
      public String heredoc(String content) throws ExpansionException {
        return heredocs.processWord(content, frozen::lookup);
      }
    };
  }

  private BuildException error(SourceLocation at, String message) {
    return DockerfileSyntaxException.at(source.file(), at.start(), message);
  }
}
