package dev.stamp.cli;

import dev.stamp.runtime.StampException;
import dev.stamp.runtime.recovery.Leftover;
import dev.stamp.runtime.recovery.RootRecovery;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code stamp system check [--fix]}: what killed processes left under the state root. */
@Command(
    name = "system",
    description = "Look after the state root.",
    subcommands = {SystemCommand.Check.class})
final class SystemCommand {

  @ParentCommand StampCli cli;

  /**
   * Lists leftovers and inconsistencies, changing nothing; {@code --fix} runs the recovery pass
   * first. Exit 0 when nothing is (left) found, 1 otherwise.
   */
  @Command(
      name = "check",
      description = {
        "List what killed builds, pulls, imports and container starts or removals left under the"
            + " state root (mounts, temp dirs, partial blobs, half-made containers, network state"
            + " of removed containers, unreferenced blobs), and records that cannot be read."
            + " Changes nothing; exit 0 when clean, 1 when something was found.",
        "--fix: remove what the recovery can tell is its own (never what a live process holds),"
            + " then list what is left."
      })
  static final class Check implements Callable<Integer> {

    @ParentCommand SystemCommand parent;

    @Spec CommandSpec spec;

    @Option(names = "--fix", description = "Run the recovery pass, then list what is left.")
    boolean fix;

    @Override
    public Integer call() throws StampException {
      PrintWriter out = spec.commandLine().getOut();
      RootRecovery recovery = RootRecovery.of(parent.cli.root());
      List<Leftover> left = fix ? recovery.fix(out::println) : recovery.check();
      for (Leftover l : left) {
        out.println(l.describe() + (fix || !l.fixable() ? "" : " (--fix removes it)"));
      }
      if (left.isEmpty()) {
        out.println("state root " + parent.cli.root().path() + ": clean");
        return StampCli.EXIT_OK;
      }
      return StampCli.EXIT_FAILED;
    }
  }
}
