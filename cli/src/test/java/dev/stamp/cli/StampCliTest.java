package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
