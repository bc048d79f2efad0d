package dev.stamp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stamp logs}: the container's stdout and stderr, each to its own stream. */
@Command(name = "logs", description = "Show a container's output.")
final class LogsCommand extends StampCommand {

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
    Runtimes.open(stamp).logs(container).copyTo(System.out, System.err, follow, timestamps);
    return StampCli.EXIT_OK;
  }
}
