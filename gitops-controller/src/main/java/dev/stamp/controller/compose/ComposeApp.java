package dev.stamp.controller.compose;

import java.util.List;
import java.util.Map;

/**
 * One app: a loaded {@code compose.yaml}, every variable substituted, every default applied.
 *
 * @param name the {@code name:} of the file, else its directory's name
 * @param file where it was read from (for messages)
 * @param services by name, in document order
 * @param volumes named volumes declared at the top level
 * @param secrets file secrets declared at the top level, by name
 * @param extensions top-level {@code x-} keys as plain values ({@code x-stamp} among them)
 * @param warnings keys that were ignored (unknown, or outside Stamp's subset)
 * @param positions where each field was written, by path ({@code services.web.ports[0]})
 */
public record ComposeApp(
    String name,
    String file,
    Map<String, ComposeService> services,
    List<String> volumes,
    Map<String, Secret> secrets,
    Map<String, Object> extensions,
    List<ComposeProblem> warnings,
    Map<String, Position> positions) {

  public ComposeApp {
    services = Maps.copy(services);
    volumes = List.copyOf(volumes);
    secrets = Maps.copy(secrets);
    extensions = Maps.copy(extensions);
    warnings = List.copyOf(warnings);
    positions = Maps.copy(positions);
  }

  /** Where {@code path} (or, when it was not written as such, its nearest parent) was written. */
  public Position position(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Position at = positions.get(p);
      if (at != null) {
        return at;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
    return new Position(0, 0);
  }

  /** A line and column in {@link #file()}, 1-based (0: unknown). */
  public record Position(int line, int column) {}

  /**
   * A top-level file secret: {@code file} as written and {@code path}, the file resolved against
   * the project directory (on the agent's host, where the secret is read).
   */
  public record Secret(String name, String file, String path) {}
}
