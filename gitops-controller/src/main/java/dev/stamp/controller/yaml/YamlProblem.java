package dev.stamp.controller.yaml;

/**
 * One thing wrong with (or, for a warning, ignored in) a YAML file: where ({@code file}, {@code
 * line} and {@code column}, 1-based, 0 when unknown), which field ({@code hosts[1].agent}, empty
 * for the document itself) and what was expected.
 */
public record YamlProblem(
    String file, int line, int column, String path, String message, boolean warning) {

  /** {@code controller.yaml:12:7: hosts[1].agent: expected …}, warnings marked as such. */
  @Override
  public String toString() {
    return describe(file, line, column, path, message, warning);
  }

  /**
   * {@code FILE:LINE:COLUMN: [warning: ][PATH: ]MESSAGE}, leaving out a line or column of 0 and an
   * empty path: how every problem found in a YAML file reads (Compose files and the controller's
   * own).
   */
  public static String describe(
      String file, int line, int column, String path, String message, boolean warning) {
    StringBuilder sb = new StringBuilder(file);
    if (line > 0) {
      sb.append(':').append(line);
      if (column > 0) {
        sb.append(':').append(column);
      }
    }
    sb.append(": ");
    if (warning) {
      sb.append("warning: ");
    }
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(message).toString();
  }
}
