package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfileCommandTest {

  final StampCliInProcess cli = new StampCliInProcess(() -> null);

  @TempDir Path dir;

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void parseJsonPrintsOneObjectPerInstruction() throws Exception {
    Path df =
        write(
            "Dockerfile",
            "FROM golang:1.22 AS build\nRUN --mount=type=cache,target=/c go build\n"
                + "FROM scratch\nCOPY --from=build /out /\nONBUILD RUN make\n");
    assertThat(cli.code("dockerfile", "parse", "--json", df.toString())).isZero();
    assertThat(cli.out())
        .isEqualTo(
            "[\n"
                + "  {\"instruction\":\"from\",\"flags\":[],\"args\":[\"golang:1.22\",\"AS\",\"build\"],\"line\":1,\"endLine\":1},\n"
                + "  {\"instruction\":\"run\",\"flags\":[\"--mount=type=cache,target=/c\"],\"args\":[\"go build\"],\"line\":2,\"endLine\":2},\n"
                + "  {\"instruction\":\"from\",\"flags\":[],\"args\":[\"scratch\"],\"line\":3,\"endLine\":3},\n"
                + "  {\"instruction\":\"copy\",\"flags\":[\"--from=build\"],\"args\":[\"/out\",\"/\"],\"line\":4,\"endLine\":4},\n"
                + "  {\"instruction\":\"onbuild\",\"flags\":[],\"args\":[],\"line\":5,\"endLine\":5,\"onbuild\":{\"instruction\":\"run\",\"flags\":[],\"args\":[\"make\"],\"line\":5,\"endLine\":5}}\n"
                + "]\n");
    assertThat(cli.err()).isEmpty();
  }

  @Test
  void parseWithoutJsonPrintsText() throws Exception {
    Path df = write("Dockerfile", "FROM scratch\nCMD [\"a\"]\n");
    assertThat(cli.code("dockerfile", "parse", df.toString())).isZero();
    assertThat(cli.out()).isEqualTo("1: from \"scratch\"\n2: cmd \"a\"\n");
  }

  @Test
  void whatABuildRefusesIsAWarningNotAParseError() throws Exception {
    Path df =
        write(
            "Dockerfile",
            "RUN true\nFROM scratch\nCOPY --chmodd=644 a /b\nHEALTHCHECK\nENV A=\"x\nRUNN make\n");
    assertThat(cli.code("dockerfile", "parse", "--json", df.toString())).isZero();
    assertThat(cli.out())
        .contains("\"instruction\":\"runn\"")
        .contains("\"instruction\":\"healthcheck\"");
    assertThat(cli.err())
        .isEqualTo(
            "warning: "
                + df
                + ":1:1: RUN before the first FROM: no build stage in current context (a build"
                + " refuses this)\n"
                + "warning: "
                + df
                + ":3:6: unknown flag: --chmodd (a build refuses this)\n"
                + "warning: "
                + df
                + ":4:1: HEALTHCHECK requires at least one argument (a build refuses this)\n"
                + "warning: "
                + df
                + ":5:7: failed to process \"\"x\": unexpected end of statement while looking for"
                + " matching double-quote (a build refuses this)\n"
                + "warning: "
                + df
                + ":6:1: unknown instruction: RUNN (a build refuses this)\n");
  }

  @Test
  void syntaxErrorsPrintFileLineColumnAndExit2() throws Exception {
    Path bad = write("bad", "FROM scratch\nCMD [\"a\", 1]\n");
    assertThat(cli.code("dockerfile", "parse", "--json", bad.toString())).isEqualTo(2);
    assertThat(cli.err()).startsWith(bad + ":2:5: when using JSON array syntax");
    assertThat(cli.out()).isEmpty();
    Path heredoc = write("heredoc", "FROM scratch\nRUN <<EOF\necho\n");
    assertThat(cli.code("dockerfile", "parse", "--json", heredoc.toString())).isEqualTo(2);
    assertThat(cli.err()).isEqualTo(heredoc + ":2:5: unterminated heredoc <<EOF (opened here)\n");
  }

  @Test
  void missingFileIsNotFoundExit2() {
    assertThat(cli.code("dockerfile", "parse", dir.resolve("nope").toString())).isEqualTo(2);
    assertThat(cli.err()).startsWith("stamp: read Dockerfile ").contains("no such file");
  }

  @Test
  void missingSubcommandIsUsageError() {
    assertThat(cli.code("dockerfile")).isEqualTo(2);
    assertThat(cli.err()).contains("Missing required subcommand");
  }
}
