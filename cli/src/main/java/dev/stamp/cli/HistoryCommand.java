package dev.stamp.cli;

import dev.stamp.controller.api.ReleaseView;
import dev.stamp.runtime.StampException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code stamp history APP}: the app's releases, newest first. */
@Command(name = "history", description = "Show an app's releases, newest first.")
final class HistoryCommand implements Callable<Integer> {

  @ParentCommand StampCli stamp;
  @Spec CommandSpec spec;
  @Mixin ControllerOptions controller;

  @Parameters(paramLabel = "APP")
  String app;

  @Option(
      names = {"-n", "--limit"},
      paramLabel = "N",
      description = "At most N releases (default 20).")
  int limit = 20;

  @Override
  public Integer call() throws StampException {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("RELEASE", "STATE", "COMMIT", "AUTHOR", "TRIGGER", "STARTED", "MESSAGE"));
    for (ReleaseView r : controller.client(stamp.root()).history(app, limit)) {
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
    PrintWriter out = spec.commandLine().getOut();
    Table.print(out, rows);
    out.flush();
    return StampCli.EXIT_OK;
  }
}
