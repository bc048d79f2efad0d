package dev.stamp.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerfileParserTest {

  static Dockerfile parse(String... lines) throws DockerfileSyntaxException {
    return Dockerfile.parse("Dockerfile", String.join("\n", lines) + "\n");
  }

  static Node only(String... lines) throws DockerfileSyntaxException {
    List<Node> nodes = parse(lines).nodes();
    assertThat(nodes).hasSize(1);
    return nodes.get(0);
  }

  static String errorOf(String... lines) {
    try {
      Dockerfile df = parse(lines);
      Instructions.of(df);
    } catch (DockerfileSyntaxException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected an error");
  }

  // --- directives and comments ------------------------------------------------------------------

  @Test
  void directivesAtTheTopAreRead() throws Exception {
    Dockerfile df =
        parse(
            "# syntax=docker/dockerfile:1.7",
            "#escape=`",
            "# check = skip=JSONArgsRecommended;error=true",
            "FROM scratch");
    assertThat(df.directives().syntax()).contains("docker/dockerfile:1.7");
    assertThat(df.directives().escape()).isEqualTo('`');
    assertThat(df.directives().check().get().skip()).containsExactly("JSONArgsRecommended");
    assertThat(df.directives().check().get().error()).isTrue();
  }

  @Test
  void directivesAfterACommentOrBlankLineAreComments() throws Exception {
    assertThat(parse("# a comment", "# escape=`", "FROM scratch").directives().escape())
        .isEqualTo('\\');
    assertThat(parse("", "# escape=`", "FROM scratch").directives().escape()).isEqualTo('\\');
    assertThat(parse("# unknown=1", "# escape=`", "FROM scratch").directives().escape())
        .isEqualTo('\\');
  }

  @Test
  void repeatedOrInvalidDirectivesAreErrors() {
    assertThat(errorOf("# escape=\\", "# escape=`", "FROM scratch"))
        .isEqualTo("Dockerfile:2:1: only one escape parser directive can be used");
    assertThat(errorOf("# escape=x", "FROM scratch"))
        .isEqualTo("Dockerfile:1:10: invalid escape token 'x' does not match ` or \\");
  }

  @Test
  void commentsAndBlankLinesAreSkippedAndLinesCounted() throws Exception {
    Dockerfile df = parse("# c", "", "  # indented comment", "FROM scratch", "", "  RUN true");
    assertThat(df.nodes()).extracting(Node::instruction).containsExactly("from", "run");
    assertThat(df.nodes().get(1).location()).isEqualTo(new SourceLocation(6, 6, 3));
  }

  @Test
  void bomIsIgnored() throws Exception {
    assertThat(Dockerfile.parse("D", "\uFEFFFROM scratch\n").nodes().get(0).args())
        .containsExactly("scratch");
  }

  @Test
  void emptyFileIsAnError() {
    assertThatThrownBy(() -> Dockerfile.parse("Dockerfile", "# only a comment\n"))
        .hasMessage("Dockerfile:1:1: file with no instructions");
  }

  // --- continuations --------------------------------------------------------------------------

  @Test
  void continuationLinesJoinAndSkipInteriorComments() throws Exception {
    Node run =
        parse("FROM scratch", "RUN apt-get update \\", "# comment inside", "  && make \\", "  all")
            .nodes()
            .get(1);
    assertThat(run.args()).containsExactly("apt-get update   && make   all");
    assertThat(run.location()).isEqualTo(new SourceLocation(2, 5, 1));
  }

  @Test
  void emptyContinuationLinesAreSkippedWithAWarning() throws Exception {
    Dockerfile df = parse("FROM scratch", "RUN a \\", "", "  b");
    assertThat(df.nodes().get(1).args()).containsExactly("a   b");
    assertThat(df.warnings()).singleElement().asString().contains("Dockerfile:2:");
  }

  @Test
  void trailingSpacesAfterTheEscapeStillContinue() throws Exception {
    assertThat(only("RUN a \\  \t", " b").args()).containsExactly("a  b");
  }

  @Test
  void backtickEscapeContinuesLinesAndLeavesBackslashesAlone() throws Exception {
    Dockerfile df =
        parse(
            "# escape=`",
            "FROM mcr.microsoft.com/windows/servercore",
            "COPY testfile.txt c:\\",
            "RUN dir c:\\ `",
            "    && echo done");
    assertThat(df.nodes().get(1).args()).containsExactly("testfile.txt", "c:\\");
    assertThat(df.nodes().get(2).args()).containsExactly("dir c:\\     && echo done");
  }

  @Test
  void escapedEscapeAtEndOfLineDoesNotContinue() throws Exception {
    Dockerfile df = parse("FROM scratch", "RUN echo \\\\", "RUN x");
    assertThat(df.nodes().get(1).args()).containsExactly("echo \\\\");
    assertThat(df.nodes()).hasSize(3);
  }

  // --- instructions, shell and exec forms -------------------------------------------------------

  @Test
  void allEighteenInstructionsParseInAnyCase() throws Exception {
    Dockerfile df =
        parse(
            "ARG BASE=busybox",
            "from $BASE AS build",
            "Run echo hi",
            "CMD [\"sh\"]",
            "LABEL a=b",
            "MAINTAINER me",
            "EXPOSE 80/tcp 443",
            "ENV K=V",
            "ADD a.tar /x/",
            "COPY a b /c/",
            "ENTRYPOINT [\"/bin/app\"]",
            "VOLUME /data",
            "USER app",
            "WORKDIR /app",
            "ONBUILD RUN make",
            "STOPSIGNAL SIGTERM",
            "HEALTHCHECK CMD true",
            "SHELL [\"/bin/sh\", \"-c\"]");
    assertThat(df.nodes())
        .extracting(Node::instruction)
        .containsExactlyInAnyOrderElementsOf(DockerfileParser.INSTRUCTIONS);
    assertThat(df.nodes().get(1).keyword()).isEqualTo("from");
    assertThat(df.stages()).hasSize(1);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "RUN [\"echo\", \"hi\"]|true|echo;hi",
        "RUN echo hi|false|echo hi",
        "CMD [\"a\", 'b']|false|[\"a\", 'b']",
        "CMD [\"a\",]|false|[\"a\",]",
        "ENTRYPOINT [\"a\"] trailing|false|[\"a\"] trailing",
        "SHELL [ \"pwsh\" , \"-c\" ]|true|pwsh;-c",
        "COPY [\"a b\", \"/c d/\"]|true|a b;/c d/",
        "COPY a   b|false|a;b",
        "VOLUME [\"/v\"]|true|/v",
        "VOLUME /a /b|false|/a;/b",
      })
  void execFormIsAJsonArrayOfStringsAnythingElseIsShellForm(String line, boolean json, String args)
      throws Exception {
    Node node = only(line);
    assertThat(node.json()).isEqualTo(json);
    assertThat(node.args()).containsExactly(args.split(";"));
  }

  @Test
  void aJsonArrayWithNonStringsIsAnError() {
    assertThat(errorOf("FROM scratch", "CMD [\"a\", 1]"))
        .isEqualTo(
            "Dockerfile:2:5: when using JSON array syntax, arrays must be comprised of strings"
                + " only");
  }

  @Test
  void envAndLabelBecomeKeyValuePairsQuotesKept() throws Exception {
    assertThat(only("ENV A=1 B=\"two words\" C=a\\ b").args())
        .containsExactly("A", "1", "B", "\"two words\"", "C", "a\\ b");
    assertThat(only("ENV LEGACY some value here").args())
        .containsExactly("LEGACY", "some value here");
    assertThat(only("LABEL \"com.example.vendor\"=\"ACME\" version=1.0").args())
        .containsExactly("\"com.example.vendor\"", "\"ACME\"", "version", "1.0");
  }

  @Test
  void envSyntaxErrors() {
    assertThat(errorOf("FROM scratch", "ENV A=1 B"))
        .isEqualTo(
            "Dockerfile:2:9: Syntax error - can't find = in \"B\". Must be of the form:"
                + " name=value");
    assertThat(errorOf("FROM scratch", "ENV ONLYKEY"))
        .isEqualTo("Dockerfile:2:5: ENV must have two arguments");
  }

  @Test
  void healthcheckSplitsTypeAndCommand() throws Exception {
    assertThat(only("HEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1").args())
        .containsExactly("CMD", "curl -f http://x/ || exit 1");
    assertThat(only("HEALTHCHECK CMD [\"curl\", \"-f\"]").args())
        .containsExactly("CMD", "curl", "-f");
    assertThat(only("HEALTHCHECK NONE").args()).containsExactly("NONE");
  }

  // --- flags ----------------------------------------------------------------------------------

  @Test
  void flagsAreSplitOffWithQuotesRemoved() throws Exception {
    Node node = only("COPY --from=build --chown=\"app:app\" --link a /b");
    assertThat(node.flags()).containsExactly("--from=build", "--chown=app:app", "--link");
    assertThat(node.args()).containsExactly("a", "/b");
    assertThat(node.flagPositions())
        .containsExactly(new Position(1, 6), new Position(1, 19), new Position(1, 37));
  }

  @Test
  void doubleDashEndsFlags() throws Exception {
    Node node = only("RUN --network=none -- --not-a-flag");
    assertThat(node.flags()).containsExactly("--network=none");
    assertThat(node.args()).containsExactly("--not-a-flag");
  }

  @Test
  void singleDashIsAnArgument() throws Exception {
    assertThat(only("RUN -x").flags()).isEmpty();
  }

  // --- heredocs -------------------------------------------------------------------------------

  @Test
  void heredocBodiesAttachToTheInstruction() throws Exception {
    Dockerfile df =
        parse("FROM scratch", "RUN <<EOF", "echo $HOME", "# not a comment here", "EOF", "RUN true");
    Node run = df.nodes().get(1);
    assertThat(run.args()).containsExactly("<<EOF");
    assertThat(run.heredocs())
        .containsExactly(new Heredoc("EOF", "echo $HOME\n# not a comment here\n", false, true, 0));
    assertThat(run.location()).isEqualTo(new SourceLocation(2, 5, 1));
    assertThat(df.nodes().get(2).location().line()).isEqualTo(6);
  }

  @Test
  void severalHeredocsPerLineReadInOrder() throws Exception {
    Node copy = only("COPY <<FILE1 <<FILE2 /dest/", "content 1", "FILE1", "content 2", "FILE2");
    assertThat(copy.heredocs())
        .extracting(Heredoc::name, Heredoc::content)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("FILE1", "content 1\n"),
            org.assertj.core.groups.Tuple.tuple("FILE2", "content 2\n"));
  }

  @Test
  void dashHeredocMatchesATabIndentedTerminatorAndChompsOnRequest() throws Exception {
    Node run = only("RUN <<-EOT", "\tif true; then", "\t\techo yes", "\tfi", "\tEOT");
    Heredoc doc = run.heredocs().get(0);
    assertThat(doc.chomp()).isTrue();
    assertThat(doc.content()).isEqualTo("\tif true; then\n\t\techo yes\n\tfi\n");
    assertThat(doc.body()).isEqualTo("if true; then\necho yes\nfi\n");
  }

  @Test
  void quotedDelimiterDisablesExpansion() throws Exception {
    assertThat(only("RUN <<'EOF'", "$X", "EOF").heredocs().get(0).expand()).isFalse();
    assertThat(only("RUN <<\"EOF\"", "$X", "EOF").heredocs().get(0).expand()).isFalse();
    assertThat(only("RUN <<E\"O\"F", "$X", "EOF").heredocs().get(0))
        .extracting(Heredoc::name, Heredoc::expand)
        .containsExactly("EOF", false);
    assertThat(only("RUN 3<<EOF", "x", "EOF").heredocs().get(0).fileDescriptor()).isEqualTo(3);
  }

  @Test
  void noHeredocInExecFormQuotesOrOtherInstructions() throws Exception {
    assertThat(only("RUN [\"<<EOF\"]").heredocs()).isEmpty();
    assertThat(only("RUN echo '<<EOF'").heredocs()).isEmpty();
    assertThat(errorOf("FROM scratch", "USER <<EOF", "EOF"))
        .isEqualTo("Dockerfile:3:1: unknown instruction: EOF");
  }

  @Test
  void unterminatedHeredocPointsAtItsOpening() {
    assertThat(errorOf("FROM scratch", "", "RUN set -e; cat <<EOF", "line", "EOFX"))
        .isEqualTo("Dockerfile:3:17: unterminated heredoc <<EOF (opened here)");
  }

  @Test
  void onbuildTriggerKeepsItsHeredoc() throws Exception {
    Node onbuild = only("ONBUILD RUN <<EOF", "make", "EOF");
    assertThat(onbuild.onbuild().get().heredocs())
        .extracting(Heredoc::content)
        .containsExactly("make\n");
    assertThat(onbuild.location().endLine()).isEqualTo(3);
  }

  // --- errors ---------------------------------------------------------------------------------

  @Test
  void unknownInstructionIsReportedAtItsKeyword() {
    assertThat(errorOf("FROM scratch", "", "", "", "", "", "RUNN make"))
        .isEqualTo("Dockerfile:7:1: unknown instruction: RUNN");
    assertThat(errorOf("FROM scratch", "ONBUILD  COPPY a b"))
        .isEqualTo("Dockerfile:2:10: unknown instruction: COPPY");
    assertThat(errorOf("FROM scratch", "RUN a \\", "  && b", "  WORKDIRR /x"))
        .isEqualTo("Dockerfile:4:3: unknown instruction: WORKDIRR");
  }
}
