package dev.stamp.cli;

import dev.stamp.controller.api.ControllerClient;
import dev.stamp.controller.api.SyncAccepted;
import dev.stamp.runtime.StampException;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stamp rollback APP [--to RELEASE]}: a revert commit pushed to Git, then synced. */
@Command(
    name = "rollback",
    description = {
      "Roll an app back by committing a revert to its Git branch (Git stays the truth), then sync it.",
      "Default: the good release before the running one."
    })
final class RollbackCommand extends ReleaseCommand {

  @Option(
      names = "--to",
      paramLabel = "RELEASE",
      description = "The release to go back to (see stamp history).")
  Long to;

  /** The revert commit is pushed, then synced. */
  @Override
  SyncAccepted start(ControllerClient client) throws StampException {
    return client.rollback(app, Optional.ofNullable(to));
  }

  @Override
  Duration timeout() {
    return Duration.ofMinutes(10);
  }
}
