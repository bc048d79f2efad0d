package dev.stamp.cli;

import dev.stamp.policies.PolicyConfig;
import dev.stamp.policies.PolicyEngine;
import dev.stamp.policies.PolicyException;
import dev.stamp.policies.Report;
import dev.stamp.policies.Rule;
import dev.stamp.policies.report.ReportFormat;
import dev.stamp.policies.rules.DefaultRules;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stamp lint [--format human|json|sarif|junit] [--fail-on-warn] [--policy FILE]
 * [--org-policy FILE] [--images] [PATH…]}: runs the policy engine over Dockerfiles, Compose files,
 * GitOps repository directories and image references. Exit 0 clean, 1 warnings with {@code
 * --fail-on-warn}, 2 enforced violations or bad input (a policy file or Compose file that does not
 * load).
 */
@Command(
    name = "lint",
    description = {
      "Check Dockerfiles, Compose files, GitOps repositories and images against policy.",
      "Exit 0 clean, 1 warnings (with --fail-on-warn), 2 enforced violations or bad input."
    })
final class LintCommand extends StampCommand {

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "human",
      description = "human (default), json, sarif (2.1.0) or junit.")
  String format;

  @Option(names = "--fail-on-warn", description = "Exit 1 when there are warnings.")
  boolean failOnWarn;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description = "The repository policy (default: .stamp/policy.yaml of a linted directory).")
  Path policy;

  @Option(
      names = "--org-policy",
      paramLabel = "FILE",
      description = "The organisation policy; the repository's can only add or tighten.")
  Path orgPolicy;

  @Option(
      names = "--images",
      description = "Also check the newest local image app/service:* of each built service.")
  boolean images;

  @Option(names = "--rules", description = "List the rules and exit.")
  boolean listRules;

  @Parameters(
      paramLabel = "PATH",
      arity = "0..*",
      description = "Dockerfiles, Compose files, repository directories, image references (.).")
  List<String> paths = new ArrayList<>();

  @Override
  public Integer call() throws StampException {
    PrintWriter out = out();
    PrintWriter err = err();
    if (listRules) {
      for (Rule r : DefaultRules.all()) {
        out.printf(
            "%s  %-7s  %-15s  %s%n", r.id(), r.severity().label(), r.category().label(), r.title());
      }
      return exit(StampCli.EXIT_OK);
    }
    ReportFormat fmt =
        ReportFormat.parse(format)
            .orElseThrow(
                () ->
                    new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--format: unknown format " + format + " (human, json, sarif, junit)"));
    LintSubjects.Collected collected =
        LintSubjects.collect(
            paths.isEmpty() ? List.of(".") : paths, () -> ImageStore.open(stamp.root()), images);
    PolicyConfig repo =
        policy != null
            ? load(policy)
            : collected.policyFile().isPresent()
                ? load(collected.policyFile().get())
                : PolicyConfig.defaults();
    PolicyConfig org = orgPolicy != null ? load(orgPolicy) : PolicyConfig.defaults();
    PolicyConfig.Merged merged = PolicyConfig.merge(org, repo);
    PolicyEngine engine =
        new PolicyEngine(
            DefaultRules.all(), merged.config(), merged.notices(), LocalDate.now(ZoneOffset.UTC));
    Report report = engine.check(collected.subjects());
    for (String w : collected.warnings()) {
      err.println("warning: " + w);
    }
    for (String e : collected.errors()) {
      err.println("error: " + e);
    }
    err.flush();
    boolean colour =
        fmt == ReportFormat.HUMAN && System.console() != null && System.getenv("NO_COLOR") == null;
    out.print(fmt.render(report, colour));
    out.flush();
    return collected.errors().isEmpty() ? report.exitCode(failOnWarn) : Report.VIOLATIONS;
  }

  private static PolicyConfig load(Path file) throws PolicyException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PolicyException(file.toString(), "", "cannot read: " + e.getMessage());
    }
    return PolicyConfig.parse(file.toString(), text, DefaultRules.ids());
  }
}
