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
import picocli.CommandLine.Option;

/**
 * {@code stamp sync} and {@code stamp rollback}: ask the controller for a release of the app, then
 * wait (unless {@code --no-wait}) until the release it started finishes; exit 1 unless that release
 * succeeded (not whatever the app's state was before it ran).
 */
abstract class ReleaseCommand extends AppCommand {

  static final Set<String> SETTLED =
      Set.of("synced", "degraded", "failed", "error", "paused", "removed");

  @Option(
      names = "--no-wait",
      description =
          "Return once the controller has accepted the release (rollback: pushed the revert).")
  boolean noWait;

  /** Asks the controller for the release. */
  abstract SyncAccepted start(ControllerClient client) throws StampException;

  /** How long to wait for the release to settle. */
  abstract Duration timeout();

  @Override
  public final Integer call() throws StampException, InterruptedException {
    ControllerClient client = client();
    return follow(client, start(client), timeout());
  }

  /** Prints the acceptance, then waits until the app reaches the commit and settles. */
  private int follow(ControllerClient client, SyncAccepted accepted, Duration timeout)
      throws StampException, InterruptedException {
    PrintWriter out = out();
    out.println(
        accepted.app()
            + ": sync of "
            + StatusCommand.shortOf(accepted.commit())
            + " "
            + accepted.state());
    if (noWait) {
      return exit(StampCli.EXIT_OK);
    }
    out.flush();
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
        Optional<ReleaseView> mine =
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
          return exit(r.state().equals("succeeded") ? StampCli.EXIT_OK : StampCli.EXIT_FAILED);
        }
      } else if (accepted.commit().equals(a.desiredCommit()) && SETTLED.contains(a.state())) {
        return a.state().equals("synced") ? StampCli.EXIT_OK : StampCli.EXIT_FAILED;
      }
      Thread.sleep(300);
    }
    out.println(accepted.app() + ": still not settled after " + timeout.toSeconds() + " s");
    return exit(StampCli.EXIT_FAILED);
  }
}
