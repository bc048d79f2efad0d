package dev.stamp.controller.images;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeService;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one service's image is built from, as repository-relative paths of a commit's tree: the
 * context directory ({@code ""} for the root), the Dockerfile, the build args and the target stage.
 *
 * @param app the app's name
 * @param service the service's name
 * @param context the context directory, repository-relative
 * @param dockerfile the Dockerfile, repository-relative (may lie outside the context)
 * @param args build args, sorted by name
 * @param target the target stage, if any
 */
public record BuildInputs(
    String app,
    String service,
    String context,
    String dockerfile,
    Map<String, String> args,
    Optional<String> target) {

  /**
   * The directory the Compose loader is told the project lives in when it reads from a tree: paths
   * it resolves against the project stay under this marker unless they escape the repository.
   */
  public static final String TREE_ROOT = "/.stamp-tree";

  public BuildInputs {
    args = java.util.Collections.unmodifiableMap(new TreeMap<>(args));
  }

  /**
   * The build inputs of {@code service} of an app loaded with project directory {@code TREE_ROOT +
   * "/" + appDir}; BAD_INPUT naming the Compose field when the context or Dockerfile leaves the
   * repository or is not a directory of it (a URL, a Git context, {@code ../..}).
   */
  public static BuildInputs of(ComposeApp app, ComposeService service) throws ControllerException {
    return of(app, service, TREE_ROOT);
  }

  /**
   * The same for an app loaded with a real project directory: {@code treeRoot} is the absolute
   * directory the tree's root stands for ({@code stamp up}: the app's directory).
   */
  public static BuildInputs of(ComposeApp app, ComposeService service, String treeRoot)
      throws ControllerException {
    ComposeService.Build build = service.build();
    String at = app.file() + ": services." + service.name() + ".build";
    if (build == null) {
      throw ControllerException.badInput(at + ": the service has no build section");
    }
    String context = repoRelative(build.context(), at + ".context", treeRoot);
    String dockerfileText = build.dockerfile() == null ? "Dockerfile" : build.dockerfile();
    if (dockerfileText.startsWith("/")) {
      throw ControllerException.badInput(
          at + ".dockerfile: expected a path relative to the context, got " + dockerfileText);
    }
    String dockerfile =
        repoRelative(
            java.nio.file.Path.of(treeRoot, context, dockerfileText).normalize().toString(),
            at + ".dockerfile",
            treeRoot);
    Map<String, String> args = new TreeMap<>();
    build.args().forEach((k, v) -> args.put(k, v == null ? "" : v));
    return new BuildInputs(
        app.name(),
        service.name(),
        context,
        dockerfile,
        args,
        Optional.ofNullable(build.target()).filter(t -> !t.isBlank()));
  }

  private static String repoRelative(String resolved, String field, String treeRoot)
      throws ControllerException {
    if (resolved == null || resolved.contains("://") || resolved.startsWith("git@")) {
      throw ControllerException.badInput(
          field + ": expected a directory of the repository, got " + resolved);
    }
    if (resolved.equals(treeRoot)) {
      return "";
    }
    if (!resolved.startsWith(treeRoot + "/")) {
      throw ControllerException.badInput(
          field
              + ": leaves the repository (resolves outside it); builds read only the commit's tree");
    }
    return resolved.substring(treeRoot.length() + 1);
  }
}
