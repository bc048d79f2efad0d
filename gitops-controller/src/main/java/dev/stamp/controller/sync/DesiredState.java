package dev.stamp.controller.sync;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeException;
import dev.stamp.controller.compose.ComposeLoader;
import dev.stamp.controller.git.TreeSnapshot;
import dev.stamp.controller.images.BuildInputs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The apps one commit declares: every {@code compose.yaml} at or below the repository's path is an
 * app, loaded from the tree (no working copy). An app that does not load is kept as its error, so
 * one broken file stops only its own app.
 *
 * @param commit the commit read
 * @param apps by app name: the loaded app or the reason it could not be loaded
 */
public record DesiredState(String commit, Map<String, Loaded> apps) {

  public DesiredState {
    apps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(apps));
  }

  /**
   * One app as read: where its file is ({@code dir} repository-relative), and either the app or the
   * error (with file, line and field) that kept it from loading.
   */
  public record Loaded(
      String name, String dir, String file, Optional<ComposeApp> app, Optional<String> error) {}

  /**
   * The apps under {@code path} of {@code tree}; an app at the repository's root without a {@code
   * name:} is named after the repository ({@code repository}).
   */
  public static DesiredState read(TreeSnapshot tree, String path, String repository)
      throws ControllerException {
    String under = path == null ? "" : path;
    List<String> files = tree.find(under, ComposeLoader.FILE_NAME);
    Map<String, Loaded> apps = new LinkedHashMap<>();
    for (String file : files) {
      String dir = file.contains("/") ? file.substring(0, file.lastIndexOf('/')) : "";
      Loaded loaded = load(tree, file, dir, repository);
      Loaded clash = apps.get(loaded.name());
      if (clash != null) {
        String error =
            "app name "
                + loaded.name()
                + " is declared by both "
                + clash.file()
                + " and "
                + file
                + "; give one of them another name: (`name:` in the file)";
        apps.put(
            loaded.name(),
            new Loaded(loaded.name(), dir, file, Optional.empty(), Optional.of(error)));
        continue;
      }
      apps.put(loaded.name(), loaded);
    }
    return new DesiredState(tree.commit().id(), apps);
  }

  /** One app's file at {@code file} (directory {@code dir}) of {@code tree}. */
  public static Loaded load(TreeSnapshot tree, String file, String dir, String repository)
      throws ControllerException {
    String fallbackName = dir.isEmpty() ? repository : dir.substring(dir.lastIndexOf('/') + 1);
    byte[] bytes =
        tree.read(file)
            .orElseThrow(
                () ->
                    ControllerException.notFound(
                        file + ": not a file at commit " + tree.commit().shortId()));
    String prefix = dir.isEmpty() ? "" : dir + "/";
    ComposeLoader.ProjectFiles files =
        relative -> {
          try {
            return tree.read(prefix + relative);
          } catch (ControllerException e) {
            throw new java.io.IOException(e.getMessage(), e);
          }
        };
    try {
      String projectDir = BuildInputs.TREE_ROOT + (dir.isEmpty() ? "" : "/" + dir);
      ComposeApp app = ComposeLoader.load(file, bytes, projectDir, files, Map.of());
      // Compose names an app after its directory; in a tree that is the app's own directory
      String name = app.positions().containsKey("name") ? app.name() : fallbackName;
      return new Loaded(name, dir, file, Optional.of(app), Optional.empty());
    } catch (ComposeException e) {
      return new Loaded(fallbackName, dir, file, Optional.empty(), Optional.of(e.getMessage()));
    }
  }
}
