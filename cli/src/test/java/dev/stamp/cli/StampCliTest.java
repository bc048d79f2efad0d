package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StampCliTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = StampCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void versionNamesStampAndJava() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).contains("stamp 0.").contains("java 17");
  }

  @Test
  void unknownFlagIsBadUsageWithOneLineAndHint() {
    assertThat(run("--no-such-flag")).isEqualTo(StampCli.EXIT_USAGE);
    assertThat(err.toString()).startsWith("stamp: Unknown option: '--no-such-flag'");
    assertThat(err.toString()).doesNotContain("at dev.stamp");
  }

  @Test
  void completionScriptIsGenerated() {
    assertThat(run("generate-completion")).isZero();
    assertThat(out.toString()).contains("complete -F");
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
}
