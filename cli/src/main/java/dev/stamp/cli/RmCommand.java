package dev.stamp.cli;

import dev.stamp.runtime.container.ContainerRuntime;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code stamp rm}: removes containers and every resource they had; {@code -f} kills first. */
@Command(name = "rm", description = "Remove containers.")
final class RmCommand implements Callable<Integer> {

  @ParentCommand StampCli cli;

  @Option(
      names = {"-f", "--force"},
      description = "Kill a running container first.")
  boolean force;

  @Parameters(paramLabel = "CONTAINER", arity = "1..*")
  List<String> containers;

  @Override
  public Integer call() throws Exception {
    ContainerRuntime runtime = Runtimes.open(cli);
    for (String ref : containers) {
      runtime.remove(ref, force);
      System.out.println(ref);
    }
    return StampCli.EXIT_OK;
  }
}
