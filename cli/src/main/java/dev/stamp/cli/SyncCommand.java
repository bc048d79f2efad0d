package dev.stamp.cli;

import dev.stamp.controller.api.AppView;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.controller.api.ReleaseView;
import dev.stamp.controller.api.SyncAccepted;
import dev.stamp.runtime.StampException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stamp sync APP [--rev REV]} and {@code stamp rollback APP [--to RELEASE]}: ask the
 * controller, then wait (unless {@code --no-wait}) until the release it started finishes; exit 1
 * unless that release succeeded (not whatever the app's state was before it ran).
 */
@Command(
    name = "sync",
    description = "Sync an app to the branch head (or --rev) now, and wait for it.")
final class SyncCommand extends AppCommand {

  static final Set<String> SETTLED =
      Set.of("synced", "degraded", "failed", "error", "paused", "removed");

  @Option(
      names = "--rev",
      paramLabel = "REV",
      description = "A commit, tag or branch (default: the branch head).")
  String rev;

  @Option(
      names = "--override-window",
      description = "Sync even inside a deny sync window that allows manual syncs.")
  boolean overrideWindow;

  @Option(names = "--no-wait", description = "Return once the controller has accepted the sync.")
  boolean noWait;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "How long to wait (default 600).")
  long timeoutSeconds = 600;

  @Override
  public Integer call() throws StampException, InterruptedException {
    ControllerClient client = client();
    SyncAccepted accepted = client.sync(app, Optional.ofNullable(rev), overrideWindow);
    return follow(client, accepted, out(), noWait, Duration.ofSeconds(timeoutSeconds));
  }

  /** Prints the acceptance, then waits until the app reaches the commit and settles. */
  static int follow(
      ControllerClient client,
      SyncAccepted accepted,
      PrintWriter out,
      boolean noWait,
      Duration timeout)
      throws StampException, InterruptedException {
    out.println(
        accepted.app()
            + ": sync of "
            + StatusCommand.shortOf(accepted.commit())
            + " "
            + accepted.state());
    out.flush();
    if (noWait) {
      return StampCli.EXIT_OK;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      AppView a = client.app(accepted.app());
      String line = a.state() + ": " + StatusCommand.nz(a.message());
      if (!line.equals(last)) {
        out.println(accepted.app() + ": " + line);
        out.flush();
        last = line;
      }
      if (accepted.release() > 0) {
        // this sync's own release: the app's state may still be an earlier release's
        java.util.Optional<ReleaseView> mine =
            client.history(accepted.app(), 50).stream()
                .filter(r -> r.id() == accepted.release())
                .findFirst();
        if (mine.isPresent() && mine.get().finishedAt() != null) {
          ReleaseView r = mine.get();
          out.println(
              accepted.app()
                  + ": release "
                  + r.id()
                  + " "
                  + r.state()
                  + (r.error() == null || r.error().isEmpty() ? "" : ": " + r.error()));
          out.flush();
          return r.state().equals("succeeded") ? StampCli.EXIT_OK : StampCli.EXIT_FAILED;
        }
      } else if (accepted.commit().equals(a.desiredCommit()) && SETTLED.contains(a.state())) {
        return a.state().equals("synced") ? StampCli.EXIT_OK : StampCli.EXIT_FAILED;
      }
      Thread.sleep(300);
    }
    out.println(accepted.app() + ": still not settled after " + timeout.toSeconds() + " s");
    out.flush();
    return StampCli.EXIT_FAILED;
  }
}
