package dev.stamp.cli;

import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeException;
import dev.stamp.controller.compose.ComposeJson;
import dev.stamp.controller.compose.ComposeLoader;
import dev.stamp.controller.compose.ComposeProblem;
import dev.stamp.controller.compose.ComposeService;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stamp plan [--format json] DIR}: loads {@code DIR/compose.yaml} (with {@code DIR/.env} and
 * the process environment) and prints the app Stamp would deploy. Warnings go to stderr; an invalid
 * file prints every problem as {@code FILE:LINE:COL: PATH: message} and exits 2.
 */
@Command(
    name = "plan",
    description = {
      "Load DIR/compose.yaml and print the services Stamp would deploy.",
      "Every problem is printed as FILE:LINE:COL: PATH: message (exit 2); warnings go to stderr."
    })
final class PlanCommand extends StampCommand {

  @Option(
      names = "--format",
      paramLabel = "text|json",
      description = "text (default) or json: the loaded model in Compose's normalized form.")
  String format = "text";

  @Parameters(
      paramLabel = "DIR|APP",
      description =
          "An app's directory (holds compose.yaml: loaded here, offline), or the name of an app a"
              + " running controller deploys (what a sync would build and replace, and why).")
  Path dir;

  @Option(
      names = "--rev",
      paramLabel = "REV",
      description = "With APP: plan this commit (default: the branch head).")
  String rev;

  @picocli.CommandLine.Mixin ControllerOptions controller;

  @Override
  public Integer call() throws dev.stamp.runtime.StampException {
    PrintWriter err = err();
    if (!format.equals("text") && !format.equals("json")) {
      err.println("stamp plan: --format: expected text or json, got " + format);
      return StampCli.EXIT_USAGE;
    }
    if (!java.nio.file.Files.isDirectory(dir) && dir.getNameCount() == 1) {
      return appPlan(dir.toString());
    }
    ComposeApp app;
    try {
      app = ComposeLoader.load(dir, ComposeLoader.processEnvironment());
    } catch (ComposeException e) {
      e.warnings().forEach(err::println);
      e.problems().forEach(err::println);
      err.println(
          "stamp plan: "
              + e.problems().size()
              + (e.problems().size() == 1 ? " problem" : " problems")
              + " in "
              + dir.resolve(ComposeLoader.FILE_NAME));
      err.flush();
      return e.kind().exitCode();
    }
    for (ComposeProblem w : app.warnings()) {
      err.println(w);
    }
    err.flush();
    PrintWriter out = out();
    out.print(format.equals("json") ? ComposeJson.render(app) : text(app));
    return exit(StampCli.EXIT_OK);
  }

  /** {@code stamp plan APP}: the controller's plan, like {@code terraform plan}. */
  private int appPlan(String app) throws dev.stamp.runtime.StampException {
    dev.stamp.controller.api.PlanView plan =
        controller.client(stamp.root()).plan(app, java.util.Optional.ofNullable(rev));
    PrintWriter out = out();
    if (format.equals("json")) {
      try {
        out.println(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(plan));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw dev.stamp.controller.ControllerException.failed(
            "render the plan: " + e.getMessage(), e);
      }
      out.flush();
      return plan.problems().isEmpty() ? StampCli.EXIT_OK : StampCli.EXIT_USAGE;
    }
    out.println("app " + plan.app() + " at " + StatusCommand.shortOf(plan.commit()));
    for (var b : plan.builds()) {
      out.println("  image " + b.service() + ": " + b.action() + " (" + b.reason() + ")");
    }
    for (var c : plan.changes()) {
      out.println(
          "  "
              + c.action()
              + " "
              + c.service()
              + " on "
              + c.host()
              + (c.reason() == null || c.reason().isEmpty() ? "" : " (" + c.reason() + ")"));
    }
    for (String p : plan.problems()) {
      out.println("  problem: " + p);
    }
    out.flush();
    return plan.problems().isEmpty() ? StampCli.EXIT_OK : StampCli.EXIT_USAGE;
  }

  private static String text(ComposeApp app) {
    StringBuilder sb = new StringBuilder("app ").append(app.name()).append('\n');
    for (ComposeService s : app.services().values()) {
      sb.append("  service ").append(s.name()).append(": ");
      sb.append(s.build() != null ? "build " + s.build().context() : "image " + s.image());
      int replicas =
          s.deploy() == null || s.deploy().replicas() == null ? 1 : s.deploy().replicas();
      sb.append(", ").append(replicas).append(replicas == 1 ? " replica" : " replicas");
      for (ComposeService.Port p : s.ports()) {
        sb.append(", port ")
            .append(p.published() == null ? "" : p.published() + ":")
            .append(p.target())
            .append('/')
            .append(p.protocol());
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
