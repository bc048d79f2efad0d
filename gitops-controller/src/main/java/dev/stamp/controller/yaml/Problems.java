package dev.stamp.controller.yaml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects errors and warnings of one load, each under the file being read, so a loader reports
 * every problem at once instead of stopping at the first.
 */
public final class Problems {

  private final String file;
  private final List<YamlProblem> errors;
  private final List<YamlProblem> warnings;

  public Problems(String file) {
    this(file, new ArrayList<>(), new ArrayList<>());
  }

  private Problems(String file, List<YamlProblem> errors, List<YamlProblem> warnings) {
    this.file = file;
    this.errors = errors;
    this.warnings = warnings;
  }

  /** The same lists, with problems reported against {@code otherFile}. */
  public Problems in(String otherFile) {
    return new Problems(otherFile, errors, warnings);
  }

  public String file() {
    return file;
  }

  public void error(int line, int column, String path, String message) {
    errors.add(new YamlProblem(file, line, column, path, message, false));
  }

  public void error(YamlNode at, String path, String message) {
    error(at == null ? 0 : at.line(), at == null ? 0 : at.column(), path, message);
  }

  public void warn(YamlNode at, String path, String message) {
    warnings.add(
        new YamlProblem(
            file, at == null ? 0 : at.line(), at == null ? 0 : at.column(), path, message, true));
  }

  public boolean hasErrors() {
    return !errors.isEmpty();
  }

  /** How many errors so far: a reader compares counts to know whether a part added any. */
  public int errorCount() {
    return errors.size();
  }

  /** The errors, by file and then position (problems without a position first). */
  public List<YamlProblem> errors() {
    return sorted(errors);
  }

  public List<YamlProblem> warnings() {
    return sorted(warnings);
  }

  private static List<YamlProblem> sorted(List<YamlProblem> list) {
    List<YamlProblem> out = new ArrayList<>(list);
    out.sort(
        Comparator.comparing(YamlProblem::file)
            .thenComparingInt(YamlProblem::line)
            .thenComparingInt(YamlProblem::column));
    return List.copyOf(out);
  }
}
