package dev.stamp.cli;

import dev.stamp.controller.api.AppView;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.runtime.StampException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code stamp status [APP]}: every app (or one, with its services per host) as the controller sees
 * it.
 */
@Command(name = "status", description = "Show the apps a controller deploys, or one app in detail.")
final class StatusCommand extends StampCommand {

  @Mixin ControllerOptions controller;

  @Parameters(arity = "0..1", paramLabel = "APP")
  String app;

  @Override
  public Integer call() throws StampException {
    ControllerClient client = controller.client(stamp.root());
    PrintWriter out = out();
    if (app == null) {
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("APP", "STATE", "COMMIT", "RELEASE", "MESSAGE"));
      for (AppView a : client.apps()) {
        rows.add(row(a));
      }
      Table.print(out, rows);
    } else {
      AppView a = client.app(app);
      out.println(
          "app:      "
              + a.name()
              + " ("
              + a.repository()
              + (a.path() == null || a.path().isEmpty() ? "" : "/" + a.path())
              + ")");
      out.println("state:    " + a.state());
      out.println("message:  " + nz(a.message()));
      out.println("desired:  " + shortOf(a.desiredCommit()));
      out.println(
          "running:  "
              + shortOf(a.syncedCommit())
              + (a.currentRelease() == null ? "" : " (release " + a.currentRelease() + ")"));
      for (AppView.ServiceView s : a.services()) {
        out.println("service " + s.name() + ": " + nz(s.image()) + " " + nz(s.digest()));
        for (AppView.HostServiceView h : s.hosts()) {
          out.println(
              "  on "
                  + h.host()
                  + ": "
                  + nz(h.state())
                  + (h.message() == null || h.message().isEmpty() ? "" : " - " + h.message()));
        }
      }
    }
    return exit(StampCli.EXIT_OK);
  }

  static List<String> row(AppView a) {
    return List.of(
        a.name(),
        nz(a.state()),
        shortOf(a.desiredCommit()),
        a.currentRelease() == null ? "-" : a.currentRelease().toString(),
        firstLine(nz(a.message())));
  }

  static String shortOf(String commit) {
    return commit == null ? "-" : commit.substring(0, Math.min(12, commit.length()));
  }

  static String nz(String s) {
    return s == null ? "" : s;
  }

  static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl) + " …";
  }
}
