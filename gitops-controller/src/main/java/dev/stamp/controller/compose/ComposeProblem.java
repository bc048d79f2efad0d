package dev.stamp.controller.compose;

import dev.stamp.controller.yaml.YamlProblem;
import java.util.List;

/**
 * One thing wrong with (or, for a warning, ignored in) a Compose file: where ({@code file}, {@code
 * line} and {@code column}, 1-based, 0 when unknown), which field ({@code services.web.ports[1]},
 * empty for the document itself) and what was expected.
 */
public record ComposeProblem(
    String file, int line, int column, String path, String message, boolean warning) {

  /** {@code compose.yaml:12:9: services.web.ports[1]: expected …}, warnings marked as such. */
  @Override
  public String toString() {
    return YamlProblem.describe(file, line, column, path, message, warning);
  }

  /** The problems {@link dev.stamp.controller.yaml.Problems} collected, as Compose's own type. */
  static List<ComposeProblem> of(List<YamlProblem> problems) {
    return problems.stream()
        .map(
            p ->
                new ComposeProblem(
                    p.file(), p.line(), p.column(), p.path(), p.message(), p.warning()))
        .toList();
  }
}
