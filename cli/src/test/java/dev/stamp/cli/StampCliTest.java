package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StampCliTest {

  final StampCliInProcess cli = new StampCliInProcess(() -> null);

  @Test
  void versionNamesStampAndJava() {
    assertThat(cli.code("--version")).isZero();
    assertThat(cli.out()).contains("stamp 0.").contains("java 17");
  }

  @Test
  void unknownFlagIsBadUsageWithOneLineAndHint() {
    assertThat(cli.code("--no-such-flag")).isEqualTo(StampCli.EXIT_USAGE);
    assertThat(cli.err()).startsWith("stamp: Unknown option: '--no-such-flag'");
    assertThat(cli.err()).doesNotContain("at dev.stamp");
  }

  @Test
  void completionScriptIsGenerated() {
    assertThat(cli.code("generate-completion")).isZero();
    assertThat(cli.out()).contains("complete -F");
  }

  @Test
  void eachSubcommandIsAddedUnderItsOwnName() {
    CommandLine all = StampCli.commandLine();
    assertThat(all.getSubcommands().keySet()).containsExactlyElementsOf(StampCli.SUBCOMMANDS);
    for (String name : StampCli.SUBCOMMANDS) {
      assertThat(all.getSubcommands().get(name).getCommandName()).isEqualTo(name);
    }
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    CommandLine cli = StampCli.commandLine(new String[] {"--root", "run", "run", "--rm", "x"});
    assertThat(cli.getSubcommands().keySet()).containsExactly("run");
    assertThat(StampCli.commandLine(new String[] {"--version"}).getSubcommands()).isEmpty();
    assertThat(StampCli.commandLine(new String[] {"--help"}).getSubcommands())
        .hasSize(StampCli.SUBCOMMANDS.size());
    assertThat(StampCli.commandLine(new String[] {"rnu"}).getSubcommands())
        .hasSize(StampCli.SUBCOMMANDS.size());
  }

  @Test
  void runStillStopsAtTheImage() throws Exception {
    CommandLine cli = StampCli.commandLine(new String[] {"run", "img", "sh", "-c", "true"});
    CommandLine.ParseResult parsed = cli.parseArgs("run", "img", "sh", "-c", "true");
    assertThat(parsed.subcommand().matchedPositionals()).isNotEmpty();
  }

  @Test
  void everyCommandAnswersHelpEvenWithRequiredOptions() {
    for (String name : StampCli.SUBCOMMANDS) {
      java.io.StringWriter out = new java.io.StringWriter();
      picocli.CommandLine cli = StampCli.commandLine(new String[] {name, "--help"});
      cli.setOut(new java.io.PrintWriter(out));
      cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
      int code = cli.execute(name, "--help");
      org.assertj.core.api.Assertions.assertThat(code).as(name).isZero();
      org.assertj.core.api.Assertions.assertThat(out.toString())
          .as(name)
          .contains("Usage: stamp " + name);
    }
  }
}
