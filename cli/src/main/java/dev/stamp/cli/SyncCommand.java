package dev.stamp.cli;

import dev.stamp.controller.api.ControllerClient;
import dev.stamp.controller.api.SyncAccepted;
import dev.stamp.runtime.StampException;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stamp sync APP [--rev REV]}: a sync now, followed until it settles. */
@Command(
    name = "sync",
    description = "Sync an app to the branch head (or --rev) now, and wait for it.")
final class SyncCommand extends ReleaseCommand {

  @Option(
      names = "--rev",
      paramLabel = "REV",
      description = "A commit, tag or branch (default: the branch head).")
  String rev;

  @Option(
      names = "--override-window",
      description = "Sync even inside a deny sync window that allows manual syncs.")
  boolean overrideWindow;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "How long to wait (default 600).")
  long timeoutSeconds = 600;

  @Override
  SyncAccepted start(ControllerClient client) throws StampException {
    return client.sync(app, Optional.ofNullable(rev), overrideWindow);
  }

  @Override
  Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }
}
