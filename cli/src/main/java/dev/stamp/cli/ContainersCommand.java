package dev.stamp.cli;

import dev.stamp.runtime.StampException;
import dev.stamp.runtime.container.ContainerRuntime;
import java.util.List;
import picocli.CommandLine.Parameters;

/** A verb applied to containers one after another, each printed once done (as docker rm/stop). */
abstract class ContainersCommand extends StampCommand {

  /** What is done to one container. */
  interface Action {
    void apply(ContainerRuntime runtime, String ref) throws StampException;
  }

  @Parameters(paramLabel = "CONTAINER", arity = "1..*")
  List<String> containers;

  /** Applies {@code action} to each container in order; the first failure stops the rest. */
  final int forEach(Action action) throws StampException {
    ContainerRuntime runtime = Runtimes.open(stamp);
    for (String ref : containers) {
      action.apply(runtime, ref);
      System.out.println(ref);
    }
    return StampCli.EXIT_OK;
  }
}
