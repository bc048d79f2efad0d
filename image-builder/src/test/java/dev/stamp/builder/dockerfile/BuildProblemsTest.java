package dev.stamp.builder.dockerfile;

import static dev.stamp.builder.dockerfile.DockerfileParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.dockerfile.BuildProblem.Kind;
import org.junit.jupiter.api.Test;

/** The parser accepts what is syntactically a Dockerfile; build-time problems are listed apart. */
class BuildProblemsTest {

  @Test
  void theParserAcceptsWhatABuildRefuses() throws Exception {
    Dockerfile df =
        parse(
            "RUN echo early",
            "FROM scratch",
            "COPY --chmodd=644 a /b",
            "HEALTHCHECK",
            "ENV A=\"unterminated",
            "LABEL v=${}",
            "RUNN make",
            "COPY --from=no_such_stage! /x /y");
    assertThat(df.nodes()).hasSize(8);
    Instructions.Checked checked = df.check();
    assertThat(checked.problems())
        .extracting(BuildProblem::kind, p -> p.position().toString())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Kind.BEFORE_FIRST_FROM, "1:1"),
            org.assertj.core.groups.Tuple.tuple(Kind.UNKNOWN_FLAG, "3:6"),
            org.assertj.core.groups.Tuple.tuple(Kind.ARGUMENT_COUNT, "4:1"),
            org.assertj.core.groups.Tuple.tuple(Kind.UNPROCESSABLE_WORDS, "5:7"),
            org.assertj.core.groups.Tuple.tuple(Kind.UNPROCESSABLE_WORDS, "6:9"),
            org.assertj.core.groups.Tuple.tuple(Kind.UNKNOWN_INSTRUCTION, "7:1"),
            org.assertj.core.groups.Tuple.tuple(Kind.STAGE_REFERENCE, "8:6"));
    assertThat(checked.problems().get(0).message())
        .isEqualTo("Dockerfile:1:1: RUN before the first FROM: no build stage in current context");
    // The instructions without a problem are still there for linters.
    assertThat(checked.instructions().stages()).hasSize(1);
    assertThat(checked.instructions().stages().get(0).instructions())
        .extracting(Instruction::keyword)
        .containsExactly("COPY");
  }

  @Test
  void theBuildStillFailsWithTheFirstProblemsMessage() throws Exception {
    Dockerfile df = parse("FROM scratch", "COPY --chmodd=644 a /b", "HEALTHCHECK");
    assertThatThrownBy(df::instructions)
        .isInstanceOf(DockerfileSyntaxException.class)
        .hasMessage("Dockerfile:2:6: unknown flag: --chmodd")
        .satisfies(
            e ->
                assertThat(((DockerfileSyntaxException) e).problem())
                    .hasValueSatisfying(p -> assertThat(p.kind()).isEqualTo(Kind.UNKNOWN_FLAG)));
  }

  @Test
  void aCleanFileHasNoProblemsAndSyntaxErrorsStayParseErrors() throws Exception {
    assertThat(parse("FROM scratch AS a", "FROM scratch", "COPY --from=a /x /y").check().problems())
        .isEmpty();
    assertThatThrownBy(() -> parse("FROM scratch", "RUN <<EOF", "x"))
        .isInstanceOf(DockerfileSyntaxException.class)
        .hasMessage("Dockerfile:2:5: unterminated heredoc <<EOF (opened here)");
  }

  @Test
  void duplicateStageNamesAndMissingFromAreProblems() throws Exception {
    assertThat(parse("FROM scratch AS a", "FROM scratch AS A").check().problems())
        .extracting(BuildProblem::kind, BuildProblem::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                Kind.DUPLICATE_STAGE_NAME, "duplicate stage name \"a\""));
    assertThat(parse("ARG A").check().problems())
        .extracting(BuildProblem::kind)
        .containsExactly(Kind.NO_STAGE);
  }
}
