package dev.stamp.controller.config;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.yaml.YamlProblem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration file that cannot be used: BAD_INPUT (the CLI exits 2), not retryable, with every
 * problem found, one per line of the message ({@code controller.yaml:12:7: hosts[1].agent: …}).
 */
public final class ConfigException extends ControllerException {

  private static final long serialVersionUID = 1L;

  private final transient List<YamlProblem> problems;
  private final transient List<YamlProblem> warnings;

  public ConfigException(List<YamlProblem> problems, List<YamlProblem> warnings) {
    super(
        Kind.BAD_INPUT,
        problems.stream().map(YamlProblem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  /** The errors, in document order. */
  public List<YamlProblem> problems() {
    return problems;
  }

  /** Warnings found on the way (unknown keys). */
  public List<YamlProblem> warnings() {
    return warnings;
  }
}
