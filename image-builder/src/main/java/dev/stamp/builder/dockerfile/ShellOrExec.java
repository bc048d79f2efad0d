package dev.stamp.builder.dockerfile;

import java.util.List;

/**
 * A command in shell form ({@code RUN make all}: one string, run by the stage's SHELL) or exec form
 * ({@code RUN ["make", "all"]}: the argv itself).
 */
public record ShellOrExec(List<String> args, boolean exec) {

  public ShellOrExec {
    args = List.copyOf(args);
    if (!exec && args.size() > 1) {
      throw new IllegalArgumentException("a shell-form command is one string");
    }
  }

  public static ShellOrExec shell(String command) {
    return new ShellOrExec(List.of(command), false);
  }

  public static ShellOrExec exec(List<String> argv) {
    return new ShellOrExec(argv, true);
  }

  /** The argv to run given the stage's shell: the shell plus the command, or the exec array. */
  public List<String> argv(List<String> shell) {
    if (exec) {
      return args;
    }
    List<String> out = new java.util.ArrayList<>(shell);
    out.addAll(args);
    return List.copyOf(out);
  }
}
