package dev.stamp.cli;

import dev.stamp.runtime.container.ContainerRuntime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code stamp stop}: the stop signal, then SIGKILL after the grace period. */
@Command(name = "stop", description = "Stop running containers.")
final class StopCommand implements Callable<Integer> {

  @ParentCommand StampCli cli;

  @Option(
      names = {"-t", "--time"},
      paramLabel = "SECONDS",
      description = "Grace period before SIGKILL (default: the container's, 10).")
  Integer seconds;

  @Parameters(paramLabel = "CONTAINER", arity = "1..*")
  List<String> containers;

  @Override
  public Integer call() throws Exception {
    ContainerRuntime runtime = Runtimes.open(cli);
    for (String ref : containers) {
      Duration grace =
          seconds != null
              ? Duration.ofSeconds(seconds)
              : runtime
                  .inspect(ref)
                  .config()
                  .map(c -> Duration.ofSeconds(c.stopTimeoutSeconds()))
                  .orElse(Duration.ofSeconds(10));
      runtime.stop(ref, grace);
      System.out.println(ref);
    }
    return StampCli.EXIT_OK;
  }
}
