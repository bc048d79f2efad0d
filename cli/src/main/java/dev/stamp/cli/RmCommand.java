package dev.stamp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stamp rm}: removes containers and every resource they had; {@code -f} kills first. */
@Command(name = "rm", description = "Remove containers.")
final class RmCommand extends ContainersCommand {

  @Option(
      names = {"-f", "--force"},
      description = "Kill a running container first.")
  boolean force;

  @Override
  public Integer call() throws Exception {
    return forEach((runtime, ref) -> runtime.remove(ref, force));
  }
}
