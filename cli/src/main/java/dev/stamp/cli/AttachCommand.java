package dev.stamp.cli;

import dev.stamp.runtime.container.AttachConnection;
import dev.stamp.runtime.container.ContainerRecord;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.DetachKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stamp attach}: connects this terminal to a running container started with -i or -t. The
 * detach keys (default Ctrl-P Ctrl-Q) leave it running; when it exits, its exit code is returned.
 */
@Command(
    name = "attach",
    description = "Attach to a running container started with -i or -t.",
    sortOptions = false)
final class AttachCommand extends StampCommand {

  @Option(
      names = "--detach-keys",
      paramLabel = "KEYS",
      description = "Keys that detach (default ctrl-p,ctrl-q; e.g. ctrl-x,x).")
  String detachKeys;

  @Option(names = "--no-stdin", description = "Do not send this terminal's input.")
  boolean noStdin;

  @Parameters(paramLabel = "CONTAINER")
  String container;

  @Override
  public Integer call() throws Exception {
    DetachKeys keys = detachKeys == null ? DetachKeys.DEFAULT : DetachKeys.parse(detachKeys);
    ContainerRuntime runtime = Runtimes.open(stamp);
    AttachConnection connection = runtime.attach(container);
    ContainerRecord config = runtime.inspect(container).config().orElseThrow();
    AttachSession.Outcome outcome =
        new AttachSession(connection, keys, config.tty(), config.openStdin() && !noStdin, false)
            .run();
    return switch (outcome.end()) {
      case EXITED -> outcome.exitCode();
      case DETACHED -> StampCli.EXIT_OK;
      case LOST -> runtime.wait(container);
    };
  }
}
