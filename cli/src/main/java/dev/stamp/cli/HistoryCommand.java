package dev.stamp.cli;

import dev.stamp.controller.api.ReleaseView;
import dev.stamp.runtime.StampException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stamp history APP}: the app's releases, newest first. */
@Command(name = "history", description = "Show an app's releases, newest first.")
final class HistoryCommand extends AppCommand {

  @Option(
      names = {"-n", "--limit"},
      paramLabel = "N",
      description = "At most N releases (default 20).")
  int limit = 20;

  @Override
  public Integer call() throws StampException {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("RELEASE", "STATE", "COMMIT", "AUTHOR", "TRIGGER", "STARTED", "MESSAGE"));
    for (ReleaseView r : client().history(app, limit)) {
      rows.add(
          List.of(
              Long.toString(r.id()),
              r.state(),
              StatusCommand.nz(r.shortCommit()),
              StatusCommand.nz(r.author()),
              StatusCommand.nz(r.trigger()),
              StatusCommand.nz(r.startedAt()),
              StatusCommand.firstLine(
                  StatusCommand.nz(r.error() != null ? r.error() : r.message()))));
    }
    return table(rows);
  }
}
