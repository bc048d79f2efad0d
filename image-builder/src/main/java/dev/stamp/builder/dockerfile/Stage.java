package dev.stamp.builder.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * A build stage: its position in the file, its name ({@code AS name}, lower case), its FROM, and
 * the instructions after it up to the next FROM.
 */
public record Stage(
    int index, Optional<String> name, FromInstruction from, List<Instruction> instructions) {

  public Stage {
    instructions = List.copyOf(instructions);
  }

  /** The name, or {@code stage-N} for an unnamed stage. */
  public String displayName() {
    return name.orElse("stage-" + index);
  }

  /** Whether {@code ref} (a name, any case, or an index) designates this stage. */
  public boolean isNamed(String ref) {
    return name.isPresent() && name.get().equalsIgnoreCase(ref);
  }
}
