package dev.stamp.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code stamp logs}: the container's stdout and stderr, each to its own stream. */
@Command(name = "logs", description = "Show a container's output.")
final class LogsCommand implements Callable<Integer> {

  @ParentCommand StampCli cli;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep following until the container exits.")
  boolean follow;

  @Option(
      names = {"-t", "--timestamps"},
      description = "Prefix each chunk with its time.")
  boolean timestamps;

  @Parameters(paramLabel = "CONTAINER")
  String container;

  @Override
  public Integer call() throws Exception {
    Runtimes.open(cli).logs(container).copyTo(System.out, System.err, follow, timestamps);
    return StampCli.EXIT_OK;
  }
}
