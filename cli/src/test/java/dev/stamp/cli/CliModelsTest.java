package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The code-built models of {@code stamp}, {@code stamp run} and {@code stamp pull} ({@link
 * CliModels}, what the CLI uses) against the models picocli reads from the annotations of {@link
 * StampCli}, {@link RunCommand}, {@link ContainerOptions} and {@link PullCommand} (the reference):
 * the same options in the same order with the same attributes, the same help and usage text, the
 * same values after parsing and the same errors.
 */
class CliModelsTest {

  /** The command line as the annotations alone describe it (what StampCli built before). */
  static CommandLine annotationModel() {
    CommandLine cli = new CommandLine(new StampCli());
    for (String name : StampCli.SUBCOMMANDS) {
      CommandLine sub = new CommandLine(StampCli.subcommand(name));
      StampCli.withHelp(sub);
      cli.addSubcommand(name, sub);
    }
    cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return cli;
  }

  @Test
  void helpOfStampAndRunIsTheAnnotationModelsWordForWord() {
    CommandLine code = StampCli.commandLine();
    CommandLine reference = annotationModel();
    assertThat(code.getUsageMessage()).isEqualTo(reference.getUsageMessage());
    assertThat(code.getUsageMessage()).contains("--root=DIR").contains("-V, --version");
    String run = code.getSubcommands().get("run").getUsageMessage();
    assertThat(run).isEqualTo(reference.getSubcommands().get("run").getUsageMessage());
    assertThat(run).contains("--security-opt=OPT").contains("IMAGE [COMMAND [ARG...]]");
    String pull = code.getSubcommands().get("pull").getUsageMessage();
    assertThat(pull).isEqualTo(reference.getSubcommands().get("pull").getUsageMessage());
    assertThat(pull).contains("--platform=OS/ARCH[/VARIANT]").contains("--help");
    assertThat(output(code, "pull", "--help")).isEqualTo(output(reference, "pull", "--help"));
    assertThat(output(code, "--version")).isEqualTo(output(reference, "--version"));
    assertThat(output(code, "run", "--help")).isEqualTo(output(reference, "run", "--help"));
    assertThat(output(code, "--help")).isEqualTo(output(reference, "--help"));
  }

  @Test
  void everyOptionHasTheAnnotationModelsAttributes() {
    CommandLine code = StampCli.commandLine(new String[] {"run"});
    CommandLine reference = annotationModel();
    assertSameArgs(code.getCommandSpec(), reference.getCommandSpec());
    CommandSpec run = code.getSubcommands().get("run").getCommandSpec();
    CommandSpec runReference = reference.getSubcommands().get("run").getCommandSpec();
    assertSameArgs(run, runReference);
    assertThat(run.parser().stopAtPositional()).isTrue();
    assertThat(run.qualifiedName()).isEqualTo("stamp run");
    assertThat(run.usageMessage().sortOptions())
        .isEqualTo(runReference.usageMessage().sortOptions());
    CommandLine pullCode = StampCli.commandLine(new String[] {"pull"});
    CommandSpec pull = pullCode.getSubcommands().get("pull").getCommandSpec();
    assertSameArgs(pull, reference.getSubcommands().get("pull").getCommandSpec());
    assertThat(pull.qualifiedName()).isEqualTo("stamp pull");
  }

  @Test
  void pullGetsTheSameValuesAndItsParentAndSpec() {
    List<String[]> lines =
        List.of(
            new String[] {"pull", "-q", "--platform", "linux/arm64/v8", "127.0.0.1:5000/a/b:1"},
            new String[] {"--root", "/r", "pull", "busybox"},
            new String[] {"pull", "--quiet", "--platform=linux/amd64", "x"});
    for (String[] line : lines) {
      CommandLine code = StampCli.commandLine(line);
      CommandLine reference = annotationModel();
      code.parseArgs(line);
      reference.parseArgs(line);
      PullCommand pull = code.getSubcommands().get("pull").getCommand();
      PullCommand refPull = reference.getSubcommands().get("pull").getCommand();
      assertThat(pull.reference).as(String.join(" ", line)).isEqualTo(refPull.reference);
      assertThat(pull.quiet).isEqualTo(refPull.quiet);
      assertThat(pull.platform).isEqualTo(refPull.platform);
      assertThat(pull.stamp).isSameAs(code.getCommand());
      assertThat(pull.spec).isSameAs(code.getSubcommands().get("pull").getCommandSpec());
      assertThat(pull.spec.commandLine()).isSameAs(code.getSubcommands().get("pull"));
    }
  }

  @Test
  void theSameCommandLinesGiveTheSameValues() throws Exception {
    List<String[]> lines =
        List.of(
            new String[] {"--root", "/r", "--debug", "run", "--rm", "base:1", "true"},
            new String[] {
              "run",
              "-d",
              "-i",
              "-t",
              "--detach-keys",
              "ctrl-x,x",
              "-e",
              "A=1",
              "--env=B",
              "--env-file",
              "/f1",
              "--env-file=/f2",
              "-v",
              "/a:/b:ro",
              "--volume",
              "v:/v",
              "-m",
              "256m",
              "--cpus",
              "0.5",
              "--pids-limit",
              "9",
              "--entrypoint",
              "/init",
              "--net",
              "none",
              "--security-opt",
              "seccomp=unconfined",
              "--security-opt",
              "no-new-privileges",
              "--name",
              "web",
              "-h",
              "host",
              "-u",
              "1:2",
              "-w",
              "/w",
              "--read-only",
              "--init",
              "-p",
              "8080:80",
              "-p80",
              "-P",
              "--network-alias",
              "www",
              "--link",
              "db:d",
              "--stop-signal",
              "SIGINT",
              "--stop-timeout",
              "7",
              "img",
              "sh",
              "-c",
              "echo --rm -d"
            },
            new String[] {"run", "-dit", "--rootfs", "/rootfs", "/bin/sh"},
            new String[] {"run", "--network=host", "img", "--", "--help"},
            new String[] {"run"});
    for (String[] line : lines) {
      CommandLine code = StampCli.commandLine(line);
      CommandLine reference = annotationModel();
      code.parseArgs(line);
      reference.parseArgs(line);
      StampCli app = code.getCommand();
      StampCli refApp = reference.getCommand();
      assertThat(app.root).as(String.join(" ", line)).isEqualTo(refApp.root);
      assertThat(app.debug).isEqualTo(refApp.debug);
      RunCommand run = code.getSubcommands().get("run").getCommand();
      RunCommand refRun = reference.getSubcommands().get("run").getCommand();
      assertThat(fields(run)).as(String.join(" ", line)).isEqualTo(fields(refRun));
      assertThat(fields(run.container))
          .as(String.join(" ", line))
          .isEqualTo(fields(refRun.container));
      assertThat(run.cli).isSameAs(app);
    }
  }

  @Test
  void badCommandLinesGiveTheSameErrorsAndExitCodes() {
    List<String[]> lines =
        List.of(
            new String[] {"run", "--stop-timeout", "soon", "img"},
            new String[] {"run", "--name"},
            new String[] {"run", "--bogus", "img"},
            new String[] {"run", "--rm=yes", "img"},
            new String[] {"pull"},
            new String[] {"pull", "a", "b"},
            new String[] {"pull", "--platform"},
            new String[] {"--root"},
            new String[] {"--nope", "run"},
            new String[] {"rnu", "img"});
    for (String[] line : lines) {
      CommandLine code = StampCli.commandLine(line);
      StringWriter codeErr = new StringWriter();
      code.setErr(new PrintWriter(codeErr));
      CommandLine reference = annotationModel();
      StringWriter refErr = new StringWriter();
      reference.setErr(new PrintWriter(refErr));
      reference.setParameterExceptionHandler(code.getParameterExceptionHandler());
      int codeExit = code.execute(line);
      int refExit = reference.execute(line);
      assertThat(codeExit).as(String.join(" ", line)).isEqualTo(refExit).isEqualTo(2);
      assertThat(codeErr.toString()).as(String.join(" ", line)).isEqualTo(refErr.toString());
      assertThat(codeErr.toString()).startsWith("stamp: ");
    }
  }

  private static void assertSameArgs(CommandSpec code, CommandSpec reference) {
    assertThat(describe(code.options())).isEqualTo(describe(reference.options()));
    assertThat(describe(code.positionalParameters()))
        .isEqualTo(describe(reference.positionalParameters()));
  }

  private static List<String> describe(List<? extends ArgSpec> args) {
    List<String> out = new ArrayList<>();
    for (ArgSpec a : args) {
      StringBuilder s = new StringBuilder();
      if (a instanceof OptionSpec o) {
        s.append(String.join(",", o.names()))
            .append(" usageHelp=")
            .append(o.usageHelp())
            .append(" versionHelp=")
            .append(o.versionHelp())
            .append(" negatable=")
            .append(o.negatable())
            .append(" order=")
            .append(o.order())
            .append(" fallback=")
            .append(o.fallbackValue());
      } else if (a instanceof PositionalParamSpec p) {
        s.append("index=").append(p.index());
      }
      s.append(" label=")
          .append(a.paramLabel())
          .append(" arity=")
          .append(a.arity())
          .append(" type=")
          .append(a.type().getName())
          .append(" aux=")
          .append(List.of(a.auxiliaryTypes()))
          .append(" description=")
          .append(List.of(a.description()))
          .append(" descriptionKey=")
          .append(a.descriptionKey())
          .append(" required=")
          .append(a.required())
          .append(" hidden=")
          .append(a.hidden())
          .append(" default=")
          .append(a.defaultValue())
          .append(" split=")
          .append(a.splitRegex())
          .append(" interactive=")
          .append(a.interactive())
          .append(" showDefault=")
          .append(a.showDefaultValue())
          .append(" inherited=")
          .append(a.inherited());
      out.add(s.toString());
    }
    return out;
  }

  /** The instance fields of a command object, by name (not the parent or the mixin object). */
  private static Map<String, Object> fields(Object command) throws IllegalAccessException {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Field f : command.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())
          || f.getName().equals("cli")
          || f.getName().equals("container")) {
        continue;
      }
      f.setAccessible(true);
      values.put(f.getName(), f.get(command));
    }
    return values;
  }

  private static String output(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.execute(args);
    return out.toString();
  }
}
