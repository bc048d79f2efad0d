package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DockerfileCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;

  private int run(String... args) {
    CommandLine cli = StampCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

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
    assertThat(run("dockerfile", "parse", "--json", df.toString())).isZero();
    assertThat(out.toString())
        .isEqualTo(
            "[\n"
                + "  {\"instruction\":\"from\",\"flags\":[],\"args\":[\"golang:1.22\",\"AS\",\"build\"],\"line\":1,\"endLine\":1},\n"
                + "  {\"instruction\":\"run\",\"flags\":[\"--mount=type=cache,target=/c\"],\"args\":[\"go build\"],\"line\":2,\"endLine\":2},\n"
                + "  {\"instruction\":\"from\",\"flags\":[],\"args\":[\"scratch\"],\"line\":3,\"endLine\":3},\n"
                + "  {\"instruction\":\"copy\",\"flags\":[\"--from=build\"],\"args\":[\"/out\",\"/\"],\"line\":4,\"endLine\":4},\n"
                + "  {\"instruction\":\"onbuild\",\"flags\":[],\"args\":[],\"line\":5,\"endLine\":5,\"onbuild\":{\"instruction\":\"run\",\"flags\":[],\"args\":[\"make\"],\"line\":5,\"endLine\":5}}\n"
                + "]\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void parseWithoutJsonPrintsText() throws Exception {
    Path df = write("Dockerfile", "FROM scratch\nCMD [\"a\"]\n");
    assertThat(run("dockerfile", "parse", df.toString())).isZero();
    assertThat(out.toString()).isEqualTo("1: from \"scratch\"\n2: cmd \"a\"\n");
  }

  @Test
  void invalidDockerfilePrintsFileLineColumnAndExits2() throws Exception {
    Path df = write("Dockerfile", "FROM scratch\nCOPY --chmodd=644 a /b\n");
    assertThat(run("dockerfile", "parse", "--json", df.toString())).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(df + ":2:6: unknown flag: --chmodd\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void unknownInstructionAndUnterminatedHeredoc() throws Exception {
    Path bad = write("bad", "FROM scratch\nRUNN make\n");
    assertThat(run("dockerfile", "parse", "--json", bad.toString())).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(bad + ":2:1: unknown instruction: RUNN\n");
    Path heredoc = write("heredoc", "FROM scratch\nRUN <<EOF\necho\n");
    err.getBuffer().setLength(0);
    assertThat(run("dockerfile", "parse", "--json", heredoc.toString())).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(heredoc + ":2:5: unterminated heredoc <<EOF (opened here)\n");
  }

  @Test
  void missingFileIsNotFoundExit2() {
    assertThat(run("dockerfile", "parse", dir.resolve("nope").toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("stamp: read Dockerfile ").contains("no such file");
  }

  @Test
  void missingSubcommandIsUsageError() {
    assertThat(run("dockerfile")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required subcommand");
  }
}
