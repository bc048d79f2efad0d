package dev.stamp.builder.dockerfile;

import java.util.List;

/** {@code SHELL ["executable", "args"…]}: the shell for later shell-form commands. */
public record ShellInstruction(List<String> shell, SourceLocation location) implements Instruction {

  public ShellInstruction {
    shell = List.copyOf(shell);
  }

  @Override
  public void cacheText(CacheText out) {
    out.field("shell", shell);
  }
}
