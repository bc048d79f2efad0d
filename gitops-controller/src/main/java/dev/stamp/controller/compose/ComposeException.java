package dev.stamp.controller.compose;

import dev.stamp.runtime.StampException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Compose file that cannot be loaded or mapped: BAD_INPUT, with every problem found (not just the
 * first), one per line of the message.
 */
public final class ComposeException extends StampException {

  private static final long serialVersionUID = 1L;

  private final transient List<ComposeProblem> problems;
  private final transient List<ComposeProblem> warnings;

  public ComposeException(List<ComposeProblem> problems, List<ComposeProblem> warnings) {
    super(
        Kind.BAD_INPUT,
        problems.stream().map(ComposeProblem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  /** The errors, in document order where known. */
  public List<ComposeProblem> problems() {
    return problems;
  }

  /** Warnings found before the load gave up (unknown keys). */
  public List<ComposeProblem> warnings() {
    return warnings;
  }
}
