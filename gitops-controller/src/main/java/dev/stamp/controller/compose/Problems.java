package dev.stamp.controller.compose;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects errors and warnings of one load, each under the file being read. */
final class Problems {

  private final String file;
  private final List<ComposeProblem> errors;
  private final List<ComposeProblem> warnings;

  Problems(String file) {
    this(file, new ArrayList<>(), new ArrayList<>());
  }

  private Problems(String file, List<ComposeProblem> errors, List<ComposeProblem> warnings) {
    this.file = file;
    this.errors = errors;
    this.warnings = warnings;
  }

  /** The same lists, with problems reported against {@code otherFile}. */
  Problems in(String otherFile) {
    return new Problems(otherFile, errors, warnings);
  }

  String file() {
    return file;
  }

  void error(int line, int column, String path, String message) {
    errors.add(new ComposeProblem(file, line, column, path, message, false));
  }

  void error(YamlNode at, String path, String message) {
    error(at == null ? 0 : at.line(), at == null ? 0 : at.column(), path, message);
  }

  void warn(YamlNode at, String path, String message) {
    warnings.add(
        new ComposeProblem(
            file, at == null ? 0 : at.line(), at == null ? 0 : at.column(), path, message, true));
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  /** The errors, by file and then position (problems without a position first). */
  List<ComposeProblem> errors() {
    return sorted(errors);
  }

  List<ComposeProblem> warnings() {
    return sorted(warnings);
  }

  private static List<ComposeProblem> sorted(List<ComposeProblem> list) {
    List<ComposeProblem> out = new ArrayList<>(list);
    out.sort(
        Comparator.comparing(ComposeProblem::file)
            .thenComparingInt(ComposeProblem::line)
            .thenComparingInt(ComposeProblem::column));
    return List.copyOf(out);
  }
}
