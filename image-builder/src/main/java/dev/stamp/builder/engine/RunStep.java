package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.Heredoc;
import dev.stamp.builder.dockerfile.ResolvedStep;
import dev.stamp.builder.dockerfile.RunInstruction;
import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * RUN: the command in a Stamp container over the snapshot's layers ({@link RunExecutor}); its upper
 * dir is the layer. Key: the step key, argv, environment (build args and ENV), USER as written,
 * workdir, network and what its mounts read ({@link RunMounts#key}).
 */
final class RunStep {

  private RunStep() {}

  static Snapshot apply(
      StageContext ctx,
      Snapshot snap,
      ResolvedStep step,
      RunInstruction run,
      String key,
      StepReport.Builder report)
      throws BuildException, IOException, HostRuntimeException {
    RunMounts mounts = new RunMounts(ctx, run);
    List<String> argv = argv(snap, run);
    Map<String, String> env = new TreeMap<>();
    env.put("PATH", StageContext.DEFAULT_PATH);
    env.putAll(step.args());
    env.putAll(step.env());
    String userText = snap.config().user() == null ? "" : snap.config().user();
    String workdir = StageContext.workdir(snap);
    String network = run.network() == null || run.network().isEmpty() ? "default" : run.network();
    // USER as written: the parent key already fixes the /etc/passwd it resolves against
    String runKey =
        BuildCache.key(
            key, String.join("\0", argv), envText(env), userText, workdir, network, mounts.key());
    return LayerStep.apply(
        ctx,
        snap,
        runKey,
        report,
        (upper, work) -> {
          String user = Users.runUser(snap, snap.config().user(), ctx.at(run.location()));
          List<Path> lower = snap.layerDirs();
          if (lower.isEmpty()) {
            Path empty = upper.resolveSibling("empty");
            Files.createDirectories(empty);
            lower = List.of(empty);
          }
          Path secrets = upper.resolveSibling("secrets");
          List<SourceView> views = new ArrayList<>();
          RunResult result;
          try {
            result =
                ctx.executor()
                    .run(
                        new RunRequest(
                            lower,
                            upper,
                            work,
                            argv,
                            env,
                            workdir,
                            user,
                            network,
                            mounts.open(secrets, views),
                            line -> ctx.session().progress().output(report.number(), line)));
          } finally {
            ImageBuilder.deleteQuietly(secrets);
            for (SourceView view : views) {
              view.close();
            }
          }
          if (result.exitCode() != 0) {
            StringBuilder msg = new StringBuilder(ctx.at(run.location()));
            msg.append(report.text()).append(": exit code ").append(result.exitCode());
            if (!result.outputTail().isEmpty()) {
              msg.append("\n  last output:");
              for (String line : result.outputTail()) {
                msg.append("\n    ").append(line);
              }
            }
            throw BuildException.failed(msg.toString());
          }
        });
  }

  /** The environment as explicit text: {@code LEN:name=LEN:value} lines, sorted by name. */
  static String envText(Map<String, String> env) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(env)
        .forEach(
            (k, v) ->
                sb.append(k.length())
                    .append(':')
                    .append(k)
                    .append('=')
                    .append(v.length())
                    .append(':')
                    .append(v)
                    .append('\n'));
    return sb.toString();
  }

  /**
   * The argv: exec form as is; shell form through the stage's SHELL; with here-documents, {@code
   * RUN <<EOF} runs the body itself as the script, anything else the command line followed by the
   * documents (as a shell reading them would).
   */
  static List<String> argv(Snapshot snap, RunInstruction run) {
    if (run.heredocs().isEmpty() || run.command().exec()) {
      return run.command().argv(StageContext.shell(snap));
    }
    String command = String.join(" ", run.command().args()).strip();
    List<String> out = new ArrayList<>(StageContext.shell(snap));
    if (run.heredocs().size() == 1) {
      Heredoc doc = run.heredocs().get(0);
      if (command.matches("<<-?[\"']?" + Pattern.quote(doc.name()) + "[\"']?")) {
        out.add(doc.body());
        return out;
      }
    }
    StringBuilder script = new StringBuilder(command).append('\n');
    for (Heredoc doc : run.heredocs()) {
      script.append(doc.content());
      if (!doc.content().endsWith("\n")) {
        script.append('\n');
      }
      script.append(doc.name()).append('\n');
    }
    out.add(script.toString());
    return out;
  }
}
