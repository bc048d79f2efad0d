package dev.stamp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeException;
import dev.stamp.controller.compose.ComposeLoader;
import dev.stamp.controller.compose.ComposeProblem;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.policies.DockerfileSubject;
import dev.stamp.policies.ImageSubjects;
import dev.stamp.policies.SpecSubject;
import dev.stamp.policies.Subject;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code stamp lint} checks, read from its arguments: Dockerfiles, Compose files (loaded with
 * the controller's {@link ComposeLoader} and mapped onto {@link SpecSubject}), GitOps repository
 * directories (every Compose app and every Dockerfile, paths relative to the repository, and the
 * repository's {@code .stamp/policy.yaml}), and image references in the local store.
 */
final class LintSubjects {

  private static final Set<String> COMPOSE_NAMES =
      Set.of("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml");
  private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules");

  /** Interface to the image store, opened only when an image is asked for. */
  interface Store {
    ImageStore open() throws StampException;
  }

  /**
   * The subjects, the repository policy file found (for a directory argument), and problems with
   * the input: a Compose file that does not load, a path that is neither a file nor an image.
   */
  record Collected(
      List<Subject> subjects,
      Optional<Path> policyFile,
      List<String> warnings,
      List<String> errors) {}

  private final Store store;
  private final boolean images;
  private final List<Subject> subjects = new ArrayList<>();
  private final Map<String, DockerfileSubject> dockerfiles = new LinkedHashMap<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private Path policyFile;

  private LintSubjects(Store store, boolean images) {
    this.store = store;
    this.images = images;
  }

  static Collected collect(List<String> paths, Store store, boolean images) throws StampException {
    LintSubjects s = new LintSubjects(store, images);
    for (String p : paths) {
      s.add(p);
    }
    s.subjects.addAll(0, s.dockerfiles.values());
    return new Collected(s.subjects, Optional.ofNullable(s.policyFile), s.warnings, s.errors);
  }

  private void add(String arg) throws StampException {
    Path path = Path.of(arg);
    if (Files.isDirectory(path)) {
      repository(path);
    } else if (Files.isRegularFile(path)) {
      String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
      if (COMPOSE_NAMES.contains(name) || name.endsWith(".yaml") || name.endsWith(".yml")) {
        compose(path, path.toString(), parentOf(path), Optional.empty());
      } else {
        dockerfile(path, path.toString(), Optional.empty(), Optional.empty());
      }
    } else if (!arg.startsWith("/")
        && !arg.startsWith(".")
        && (arg.contains("/") || arg.contains(":") || arg.contains("@"))) {
      image(arg, Optional.empty(), Optional.empty(), Optional.empty());
    } else {
      errors.add("lint " + arg + ": no such file, directory or image reference");
    }
  }

  private static Path parentOf(Path file) {
    Path parent = file.getParent();
    return parent == null ? Path.of("") : parent;
  }

  /** Every Compose app and Dockerfile under {@code root}, named relative to it. */
  private void repository(Path root) throws StampException {
    Path policy = root.resolve(".stamp").resolve("policy.yaml");
    if (policyFile == null && Files.isRegularFile(policy)) {
      policyFile = policy;
    }
    List<Path> composeFiles = new ArrayList<>();
    List<Path> dockerfilePaths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(p -> Files.isRegularFile(p))
          .filter(p -> root.relativize(p).toString().split("/").length > 0)
          .filter(p -> !skipped(root.relativize(p)))
          .sorted(Comparator.comparing(Path::toString))
          .forEach(
              p -> {
                String name = p.getFileName().toString();
                if (COMPOSE_NAMES.contains(name.toLowerCase(Locale.ROOT))) {
                  composeFiles.add(p);
                } else if (isDockerfileName(name)) {
                  dockerfilePaths.add(p);
                }
              });
    } catch (IOException e) {
      errors.add("lint " + root + ": read the directory: " + e.getMessage());
      return;
    }
    for (Path c : composeFiles) {
      Path rel = root.relativize(c);
      compose(c, rel.toString(), root, Optional.of(root));
    }
    for (Path d : dockerfilePaths) {
      String rel = root.relativize(d).toString();
      if (!dockerfiles.containsKey(rel)) {
        dockerfile(d, rel, Optional.empty(), Optional.empty());
      }
    }
  }

  private static boolean skipped(Path relative) {
    for (Path part : relative) {
      if (SKIPPED_DIRS.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }

  static boolean isDockerfileName(String name) {
    String l = name.toLowerCase(Locale.ROOT);
    return l.equals("dockerfile")
        || l.startsWith("dockerfile.")
        || l.endsWith(".dockerfile")
        || l.equals("containerfile");
  }

  private void dockerfile(
      Path file, String display, Optional<String> app, Optional<String> service) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      dockerfiles.put(display, new DockerfileSubject(display, text, app, service));
    } catch (IOException e) {
      errors.add("lint " + display + ": read the Dockerfile: " + e.getMessage());
    }
  }

  /**
   * Loads {@code file} (shown as {@code display}); Dockerfiles its services build from are named
   * relative to {@code displayRoot} when the file lies in a repository being linted ({@code repo}).
   */
  private void compose(Path file, String display, Path displayRoot, Optional<Path> repo)
      throws StampException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      errors.add("lint " + display + ": read the Compose file: " + e.getMessage());
      return;
    }
    Path dir = parentOf(file);
    ComposeApp app;
    try {
      app =
          ComposeLoader.load(
              display,
              bytes,
              dir.toAbsolutePath().normalize().toString(),
              ComposeLoader.ProjectFiles.of(dir),
              ComposeLoader.processEnvironment());
    } catch (ComposeException e) {
      for (ComposeProblem p : e.problems()) {
        errors.add(p.toString());
      }
      return;
    }
    for (ComposeProblem w : app.warnings()) {
      warnings.add(w.toString());
    }
    JsonNode raw = dev.stamp.controller.sync.PolicySubjects.rawServices(bytes);
    Path absRoot = displayRoot.toAbsolutePath().normalize();
    List<SpecSubject.Service> services = new ArrayList<>();
    for (ComposeService s : app.services().values()) {
      Optional<String> dockerfile = Optional.empty();
      if (s.build() != null) {
        Path df = Path.of(s.build().context()).resolve(s.build().dockerfile()).normalize();
        String shown = df.startsWith(absRoot) ? absRoot.relativize(df).toString() : df.toString();
        if (repo.isEmpty() && !displayRoot.toString().isEmpty() && df.startsWith(absRoot)) {
          shown = displayRoot.resolve(absRoot.relativize(df)).toString();
        }
        dockerfile = Optional.of(shown);
        if (Files.isRegularFile(df)) {
          dockerfile(df, shown, Optional.of(app.name()), Optional.of(s.name()));
        }
      }
      services.add(
          dev.stamp.controller.sync.PolicySubjects.service(s, raw.path(s.name()), dockerfile));
      if (images && s.build() != null) {
        newestImage(app.name(), s.name(), dockerfile);
      }
    }
    Map<String, Integer> lines = new LinkedHashMap<>();
    app.positions().forEach((k, v) -> lines.put(k, v.line()));
    subjects.add(new SpecSubject(app.name(), display, services, lines));
  }

  private void image(
      String ref, Optional<String> app, Optional<String> service, Optional<String> dockerfile)
      throws StampException {
    ImageStore s = store.open();
    subjects.add(ImageSubjects.read(s, ref, 0, app, service, dockerfile));
  }

  /** The newest local image tagged {@code app/service:*}, as {@code stamp up} builds them. */
  private void newestImage(String app, String service, Optional<String> dockerfile)
      throws StampException {
    String repo = app + "/" + service;
    Image newest = null;
    for (Image i : store.open().list()) {
      if (i.reference() != null
          && i.reference().familiarName().equals(repo)
          && (newest == null
              || String.valueOf(i.config().created())
                      .compareTo(String.valueOf(newest.config().created()))
                  > 0)) {
        newest = i;
      }
    }
    if (newest == null) {
      warnings.add("lint --images: no local image " + repo + ":* (build it with stamp up first)");
      return;
    }
    image(newest.reference().familiar(), Optional.of(app), Optional.of(service), dockerfile);
  }
}
