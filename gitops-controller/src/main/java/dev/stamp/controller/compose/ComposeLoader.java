package dev.stamp.controller.compose;

import dev.stamp.controller.yaml.Problems;
import dev.stamp.controller.yaml.YamlNode;
import dev.stamp.controller.yaml.YamlReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a {@code compose.yaml} into a {@link ComposeApp}: YAML 1.2 → variables substituted (process
 * environment over the project's {@code .env}) → typed model → references checked (volumes,
 * secrets, depends_on and its cycles). Every problem is reported at once in one {@link
 * ComposeException}, each with file, line, column and field path; keys that are unknown or outside
 * Stamp's subset are warnings ({@link ComposeApp#warnings()}).
 *
 * <p>The loader reads nothing but through {@link ProjectFiles}, so the controller can load from a
 * Git tree as well as from a directory.
 */
public final class ComposeLoader {

  /** The files of a project directory (the compose file's {@code .env}, {@code env_file}s). */
  @FunctionalInterface
  public interface ProjectFiles {
    /** The bytes of {@code relativePath}, or empty when there is no such file. */
    Optional<byte[]> read(String relativePath) throws IOException;

    /** The files of a directory on this machine. */
    static ProjectFiles of(Path dir) {
      return relative -> {
        try {
          return Optional.of(Files.readAllBytes(dir.resolve(relative)));
        } catch (NoSuchFileException e) {
          return Optional.empty();
        }
      };
    }
  }

  /** The file name looked for in a directory. */
  public static final String FILE_NAME = "compose.yaml";

  private static final Set<String> TOP_LEVEL = Set.of("name", "services", "volumes", "secrets");
  private static final Set<String> TOP_OUTSIDE =
      Set.of("version", "networks", "configs", "include", "models");

  private ComposeLoader() {}

  /** {@code DIR/compose.yaml} with {@code DIR/.env}; {@code env} is the process environment. */
  public static ComposeApp load(Path dir, Map<String, String> env) throws ComposeException {
    Path file = dir.resolve(FILE_NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      Problems p = new Problems(file.toString());
      p.error(0, 0, "", e instanceof NoSuchFileException ? "no such file" : e.toString());
      throw new ComposeException(ComposeProblem.of(p.errors()), List.of());
    }
    Path abs = dir.toAbsolutePath().normalize();
    return load(file.toString(), bytes, abs.toString(), ProjectFiles.of(dir), env);
  }

  /**
   * A compose file from bytes (a blob of a Git tree): {@code file} names it in messages, {@code
   * projectDir} is the absolute directory relative paths (bind sources, secret files, build
   * contexts) resolve against, {@code files} gives its {@code .env} and env files.
   */
  public static ComposeApp load(
      String file, byte[] bytes, String projectDir, ProjectFiles files, Map<String, String> env)
      throws ComposeException {
    Problems problems = new Problems(file);
    String text = utf8(bytes, problems);
    Map<String, String> dotEnv = Map.of();
    try {
      Optional<byte[]> envBytes = files.read(".env");
      if (envBytes.isPresent()) {
        Problems envProblems = problems.in(siblingName(file, ".env"));
        dotEnv = DotEnv.parse(utf8(envBytes.get(), envProblems), env, envProblems);
      }
    } catch (IOException e) {
      problems.error(0, 0, "", "cannot read .env: " + e.getMessage());
    }
    Map<String, String> merged = new HashMap<>(dotEnv);
    merged.putAll(env);
    YamlNode root = text == null ? null : YamlReader.read(text, problems);
    if (problems.hasErrors()) {
      throw new ComposeException(
          ComposeProblem.of(problems.errors()), ComposeProblem.of(problems.warnings()));
    }
    ComposeApp app = new Loading(problems, merged, files, projectDir).app(root);
    if (problems.hasErrors()) {
      throw new ComposeException(
          ComposeProblem.of(problems.errors()), ComposeProblem.of(problems.warnings()));
    }
    return app;
  }

  private static String siblingName(String file, String name) {
    int slash = file.lastIndexOf('/');
    return slash < 0 ? name : file.substring(0, slash + 1) + name;
  }

  private static String utf8(byte[] bytes, Problems problems) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      problems.error(0, 0, "", "not UTF-8 text");
      return null;
    }
  }

  /** One load in progress. */
  private static final class Loading {
    private final Problems problems;
    private final Values v;
    private final Map<String, String> env;
    private final ProjectFiles files;
    private final String projectDir;
    private final Map<String, ComposeApp.Position> positions = new HashMap<>();
    private Set<String> declaredSecrets = Set.of();

    Loading(Problems problems, Map<String, String> env, ProjectFiles files, String projectDir) {
      this.problems = problems;
      this.v = new Values(problems);
      this.env = env;
      this.files = files;
      this.projectDir = projectDir;
    }

    ComposeApp app(YamlNode parsed) {
      if (parsed == null) {
        problems.error(0, 0, "", "the file is empty: expected a mapping with services");
        return null;
      }
      YamlNode root = interpolate(parsed, "");
      YamlNode.Mapping top = v.mapping(root, "", "a mapping with services");
      if (top == null) {
        return null;
      }
      v.onlyKnown(top, "", TOP_LEVEL, TOP_OUTSIDE);
      Map<String, YamlNode> e = top.entries();
      String name = v.string(e.get("name"), "name");
      if (name == null) {
        name = projectName(projectDir);
      }
      List<String> volumes = new ArrayList<>();
      YamlNode.Mapping vol = v.mapping(e.get("volumes"), "volumes", "a mapping of volume names");
      if (vol != null) {
        vol.entries()
            .forEach(
                (k, def) -> {
                  volumes.add(k);
                  YamlNode.Mapping d = v.mapping(def, "volumes." + k, "a mapping");
                  if (d != null) {
                    v.onlyKnown(
                        d,
                        "volumes." + k,
                        Set.of(),
                        Set.of("driver", "driver_opts", "external", "labels", "name"));
                  }
                });
      }
      Map<String, ComposeApp.Secret> secrets = secrets(e.get("secrets"));
      YamlNode.Mapping secretDefs = e.get("secrets") instanceof YamlNode.Mapping d ? d : null;
      declaredSecrets = secretDefs == null ? Set.of() : secretDefs.entries().keySet();
      Map<String, Object> extensions = new LinkedHashMap<>();
      e.forEach(
          (k, node) -> {
            if (k.startsWith("x-")) {
              extensions.put(k, Values.plain(node));
            }
          });
      Map<String, ComposeService> services = new LinkedHashMap<>();
      ServiceReader reader = new ServiceReader(v, env::get, files, projectDir, home());
      YamlNode servicesNode = e.get("services");
      YamlNode.Mapping sm = v.mapping(servicesNode, "services", "a mapping of service names");
      if (servicesNode == null
          || Values.isNull(servicesNode)
          || (sm != null && sm.entries().isEmpty())) {
        problems.error(
            servicesNode == null ? top : servicesNode,
            "services",
            "required: at least one service");
      }
      if (sm != null) {
        sm.entries()
            .forEach(
                (svc, node) -> {
                  String path = "services." + svc;
                  YamlNode.Mapping m = v.mapping(node, path, "a mapping (the service's settings)");
                  if (m == null) {
                    if (Values.isNull(node)) {
                      problems.error(
                          node, path, "expected a mapping with image or build, got null");
                    }
                    return;
                  }
                  ComposeService s = reader.read(svc, m, path);
                  if (absent(m, "image") && absent(m, "build")) {
                    problems.error(m, path, "service \"" + svc + "\" has neither image nor build");
                  }
                  services.put(svc, s);
                });
        checkReferences(sm, services, volumes, secrets, reader);
      }
      return new ComposeApp(
          name,
          problems.file(),
          services,
          volumes,
          secrets,
          extensions,
          ComposeProblem.of(problems.warnings()),
          positions);
    }

    private static boolean absent(YamlNode.Mapping m, String key) {
      YamlNode n = m.entries().get(key);
      return n == null || Values.isNull(n);
    }

    private String home() {
      String h = env.get("HOME");
      return h != null && h.startsWith("/") ? h : System.getProperty("user.home");
    }

    private Map<String, ComposeApp.Secret> secrets(YamlNode n) {
      Map<String, ComposeApp.Secret> out = new LinkedHashMap<>();
      YamlNode.Mapping m = v.mapping(n, "secrets", "a mapping of secret names");
      if (m == null) {
        return out;
      }
      m.entries()
          .forEach(
              (name, def) -> {
                String path = "secrets." + name;
                YamlNode.Mapping d = v.mapping(def, path, "a mapping with file");
                if (d == null) {
                  return;
                }
                v.onlyKnown(
                    d, path, Set.of("file"), Set.of("name", "labels", "external", "environment"));
                String file = v.string(d.entries().get("file"), path + ".file");
                if (file == null) {
                  problems.error(
                      d,
                      path,
                      "Stamp supports file secrets only: expected file: PATH (on the agent's host)");
                  return;
                }
                String resolved = Path.of(projectDir).resolve(file).normalize().toString();
                out.put(name, new ComposeApp.Secret(name, file, resolved));
              });
      return out;
    }

    private void checkReferences(
        YamlNode.Mapping sm,
        Map<String, ComposeService> services,
        List<String> volumes,
        Map<String, ComposeApp.Secret> secrets,
        ServiceReader reader) {
      for (ServiceReader.Ref r : reader.volumeRefs) {
        if (!volumes.contains(r.name())) {
          problems.error(
              r.at(),
              r.path(),
              "service \""
                  + r.service()
                  + "\" refers to undefined volume \""
                  + r.name()
                  + "\" (declare it under the top-level volumes:)");
        }
      }
      for (ServiceReader.Ref r : reader.secretRefs) {
        if (!secrets.containsKey(r.name()) && !declaredSecrets.contains(r.name())) {
          problems.error(
              r.at(),
              r.path(),
              "service \""
                  + r.service()
                  + "\" refers to undefined secret \""
                  + r.name()
                  + "\" (declare it under the top-level secrets: with a file)");
        }
      }
      services.forEach(
          (svc, s) ->
              s.dependsOn()
                  .keySet()
                  .forEach(
                      dep -> {
                        if (!services.containsKey(dep)) {
                          YamlNode at =
                              ((YamlNode.Mapping) sm.entries().get(svc))
                                  .entries()
                                  .get("depends_on");
                          problems.error(
                              at,
                              "services." + svc + ".depends_on",
                              "service \""
                                  + svc
                                  + "\" depends on undefined service \""
                                  + dep
                                  + "\"");
                        }
                      }));
      findCycle(sm, services);
    }

    private void findCycle(YamlNode.Mapping sm, Map<String, ComposeService> services) {
      Map<String, Integer> state = new HashMap<>();
      for (String start : services.keySet()) {
        List<String> stack = new ArrayList<>();
        if (visit(start, services, state, stack)) {
          String first = stack.get(stack.size() - 1);
          int from = stack.indexOf(first);
          List<String> cycle = stack.subList(from, stack.size());
          YamlNode at =
              ((YamlNode.Mapping) sm.entries().get(cycle.get(0))).entries().get("depends_on");
          problems.error(
              at,
              "services." + cycle.get(0) + ".depends_on",
              "dependency cycle detected: " + String.join(" -> ", cycle));
          return;
        }
      }
    }

    /**
     * Depth-first; true with the path in {@code stack} (ending in the repeated name) on a cycle.
     */
    private boolean visit(
        String name,
        Map<String, ComposeService> services,
        Map<String, Integer> state,
        List<String> stack) {
      Integer st = state.get(name);
      if (st != null && st == 2) {
        return false;
      }
      stack.add(name);
      if (st != null && st == 1) {
        return true;
      }
      state.put(name, 1);
      ComposeService s = services.get(name);
      if (s != null) {
        for (String dep : s.dependsOn().keySet()) {
          if (visit(dep, services, state, stack)) {
            return true;
          }
        }
      }
      state.put(name, 2);
      stack.remove(stack.size() - 1);
      return false;
    }

    /** Every string scalar with its variables substituted; an error names the field's path. */
    private YamlNode interpolate(YamlNode n, String path) {
      positions.put(path, new ComposeApp.Position(n.line(), n.column()));
      if (n instanceof YamlNode.Scalar s) {
        if (s.type() != YamlNode.Type.STRING || s.text().indexOf('$') < 0) {
          return s;
        }
        try {
          return new YamlNode.Scalar(
              Interpolation.apply(s.text(), env::get), YamlNode.Type.STRING, s.line(), s.column());
        } catch (Interpolation.Failure e) {
          problems.error(s, path, "error while interpolating: " + e.getMessage());
          return s;
        }
      }
      if (n instanceof YamlNode.Sequence seq) {
        List<YamlNode> items = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
          items.add(interpolate(seq.items().get(i), path + "[" + i + "]"));
        }
        return new YamlNode.Sequence(List.copyOf(items), seq.line(), seq.column());
      }
      YamlNode.Mapping m = (YamlNode.Mapping) n;
      Map<String, YamlNode> entries = new LinkedHashMap<>();
      m.entries()
          .forEach(
              (k, val) -> entries.put(k, interpolate(val, path.isEmpty() ? k : path + "." + k)));
      return new YamlNode.Mapping(
          java.util.Collections.unmodifiableMap(entries), m.keys(), m.line(), m.column());
    }

    /** Compose's default project name: the directory's name, lower case, [a-z0-9_-] only. */
    private static String projectName(String dir) {
      Path p = Path.of(dir).getFileName();
      String base = p == null ? "default" : p.toString().toLowerCase(Locale.ROOT);
      String cleaned = base.replaceAll("[^a-z0-9_-]", "");
      return cleaned.isEmpty() ? "default" : cleaned;
    }
  }

  /** The process environment as a map (what {@code stamp plan} passes). */
  public static Map<String, String> processEnvironment() {
    return Map.copyOf(System.getenv());
  }
}
