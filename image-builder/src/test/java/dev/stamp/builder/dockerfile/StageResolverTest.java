package dev.stamp.builder.dockerfile;

import static dev.stamp.builder.dockerfile.DockerfileParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StageResolverTest {

  private static BuildPlan plan(Map<String, String> args, String target, String... lines)
      throws Exception {
    return parse(lines)
        .instructions()
        .resolve(BuildArgs.of(args).withTargetPlatform("linux/arm64"), Optional.ofNullable(target));
  }

  private static BuildPlan plan(String... lines) throws Exception {
    return plan(Map.of(), null, lines);
  }

  private static List<Instruction> steps(ResolvedStage stage) {
    return stage.steps().stream().map(ResolvedStep::instruction).toList();
  }

  private static String workdir(ResolvedStage stage, int step) {
    return ((WorkdirInstruction) steps(stage).get(step)).path();
  }

  @Test
  void globalArgsAreVisibleToFromOnlyUntilRedeclared() throws Exception {
    BuildPlan p =
        plan(
            "ARG TAG=1.36",
            "ARG DIR=/opt",
            "FROM busybox:${TAG}",
            "WORKDIR ${DIR}/app",
            "ARG DIR",
            "WORKDIR ${DIR}/app");
    ResolvedStage s = p.targetStage();
    assertThat(s.base()).isEqualTo(BaseRef.image("busybox:1.36"));
    assertThat(workdir(s, 0)).isEqualTo("/app");
    assertThat(workdir(s, 2)).isEqualTo("/opt/app");
  }

  @Test
  void buildArgsOverrideDefaultsOnlyWhereDeclared() throws Exception {
    String[] df = {
      "ARG TAG=1.36", "ARG V=global", "FROM busybox:$TAG", "ARG V=local", "WORKDIR /$V/$UNDECLARED"
    };
    assertThat(workdir(plan(df).targetStage(), 1)).isEqualTo("/local/");
    BuildPlan overridden = plan(Map.of("TAG", "1.37", "V", "cli", "UNDECLARED", "x"), null, df);
    assertThat(overridden.targetStage().base()).isEqualTo(BaseRef.image("busybox:1.37"));
    assertThat(workdir(overridden.targetStage(), 1)).isEqualTo("/cli/");
    assertThat(overridden.unusedBuildArgs()).containsExactly("UNDECLARED");
  }

  @Test
  void argWithoutDefaultTakesTheGlobalValue() throws Exception {
    ResolvedStage s = plan("ARG V=global", "FROM scratch", "ARG V", "WORKDIR /$V").targetStage();
    assertThat(workdir(s, 1)).isEqualTo("/global");
    ResolvedStage unset = plan("FROM scratch", "ARG V", "WORKDIR /${V-unset}").targetStage();
    assertThat(workdir(unset, 1)).isEqualTo("/unset");
  }

  @Test
  void envIsSeenByLaterInstructionsAndWinsOverArg() throws Exception {
    ResolvedStage s =
        plan(
                "FROM scratch",
                "ARG X=arg",
                "WORKDIR /$X",
                "ENV X=env",
                "WORKDIR /$X",
                "ARG X=arg2",
                "WORKDIR /$X")
            .targetStage();
    assertThat(workdir(s, 1)).isEqualTo("/arg");
    assertThat(workdir(s, 3)).isEqualTo("/env");
    assertThat(workdir(s, 5)).isEqualTo("/env");
    assertThat(s.env()).containsEntry("X", "env");
  }

  @Test
  void oneInstructionSeesTheScopeAsItWasBeforeIt() throws Exception {
    ResolvedStage s =
        plan(
                "FROM scratch",
                "ENV A=1",
                "ENV A=2 B=$A",
                "ARG C=3 D=${C:-none}",
                "LABEL a=$A b=$B d=$D")
            .targetStage();
    assertThat(s.env()).containsEntry("A", "2").containsEntry("B", "1");
    assertThat(((LabelInstruction) steps(s).get(3)).labels())
        .containsExactly(new KeyValue("a", "2"), new KeyValue("b", "1"), new KeyValue("d", "none"));
  }

  @Test
  void wordsAreUnquotedAndKeysExpanded() throws Exception {
    ResolvedStage s =
        plan("FROM scratch", "ENV K=name", "ENV ${K}_DIR=\"/a b\" Q='$K' R=a\\ b").targetStage();
    assertThat(s.env())
        .containsEntry("name_DIR", "/a b")
        .containsEntry("Q", "$K")
        .containsEntry("R", "a b");
  }

  @Test
  void stepsCarryTheScopeTheyRunIn() throws Exception {
    ResolvedStage s =
        plan(Map.of("TOKEN", "t"), null, "FROM scratch", "ARG TOKEN", "ENV E=1", "RUN make")
            .targetStage();
    ResolvedStep run = s.steps().get(2);
    assertThat(run.args()).containsEntry("TOKEN", "t");
    assertThat(run.env()).containsEntry("E", "1");
    assertThat(((RunInstruction) run.instruction()).command()).isEqualTo(ShellOrExec.shell("make"));
  }

  @Test
  void runCommandsAreNotExpandedButMountOptionsAre() throws Exception {
    ResolvedStage s =
        plan("FROM scratch", "ARG C=/cache", "RUN --mount=type=cache,target=$C echo $C")
            .targetStage();
    RunInstruction run = (RunInstruction) steps(s).get(1);
    assertThat(run.mounts().get(0).target()).contains("/cache");
    assertThat(run.command().args()).containsExactly("echo $C");
  }

  @Test
  void envIsInheritedThroughStageBasesButArgsAreNot() throws Exception {
    ResolvedStage s =
        plan(
                "FROM scratch AS base",
                "ENV P=/x",
                "ARG Q=1",
                "ONBUILD WORKDIR /triggered/$P",
                "FROM base",
                "WORKDIR $P/${Q:-noq}")
            .targetStage();
    assertThat(s.base()).isEqualTo(BaseRef.stage(0));
    assertThat(workdir(s, 0)).isEqualTo("/triggered//x");
    assertThat(workdir(s, 1)).isEqualTo("/x/noq");
  }

  @Test
  void fromMayNameAStageThroughAGlobalArg() throws Exception {
    BuildPlan p =
        plan(
            Map.of("VARIANT", "prod"),
            null,
            "ARG VARIANT=dev",
            "FROM scratch AS base-dev",
            "FROM scratch AS base-prod",
            "FROM base-${VARIANT}");
    assertThat(p.targetStage().base()).isEqualTo(BaseRef.stage(1));
    assertThat(p.stages()).extracting(ResolvedStage::index).containsExactly(1, 2);
  }

  @Test
  void platformArgsAreGlobalAndNeedAnArgInsideAStage() throws Exception {
    ResolvedStage s =
        plan(
                "FROM --platform=$TARGETPLATFORM scratch",
                "WORKDIR /${TARGETARCH:-none}",
                "ARG TARGETARCH",
                "WORKDIR /$TARGETARCH")
            .targetStage();
    assertThat(s.platform()).contains("linux/arm64");
    assertThat(workdir(s, 0)).isEqualTo("/none");
    assertThat(workdir(s, 2)).isEqualTo("/arm64");
  }

  @Test
  void targetPicksOnlyTheStagesItNeedsInBuildOrder() throws Exception {
    String[] df = {
      "FROM scratch AS a",
      "FROM scratch AS b",
      "COPY --from=a /x /x",
      "FROM a AS c",
      "FROM scratch AS d",
      "RUN --mount=from=b,target=/b true",
      "COPY --from=later /y /y",
      "FROM scratch AS later",
      "FROM scratch AS unrelated"
    };
    assertThat(plan(Map.of(), "b", df).stages())
        .extracting(ResolvedStage::displayName)
        .containsExactly("a", "b");
    assertThat(plan(Map.of(), "D", df).stages())
        .extracting(ResolvedStage::displayName)
        .containsExactly("a", "b", "later", "d");
    assertThat(plan(Map.of(), "c", df).stages())
        .extracting(ResolvedStage::displayName)
        .containsExactly("a", "c");
    BuildPlan last = plan(df);
    assertThat(last.stages()).extracting(ResolvedStage::displayName).containsExactly("unrelated");
    assertThat(last.dependencies().get(3)).containsExactlyInAnyOrder(1, 4);
  }

  @Test
  void unknownTargetIsNotFound() {
    assertThatThrownBy(() -> plan(Map.of(), "nope", "FROM scratch AS a"))
        .isInstanceOf(BuildException.class)
        .hasMessage("build target \"nope\": no stage with that name in Dockerfile")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);
  }

  @Test
  void circularDependenciesAreReportedAtTheEdge() {
    assertThatThrownBy(() -> plan("FROM busybox AS stage0", "COPY --from=stage0 f1 /sub/"))
        .hasMessage("Dockerfile:2:1: circular dependency detected on stage: stage0");
    assertThatThrownBy(
            () ->
                plan(
                    "FROM busybox AS stage0",
                    "COPY --from=stage2 f1 /sub/",
                    "FROM busybox AS stage1",
                    "COPY --from=stage0 f2 /sub/",
                    "FROM busybox AS stage2",
                    "COPY --from=stage1 f2 /sub/"))
        .hasMessageContaining("circular dependency detected on stage: stage0");
  }

  @Test
  void substitutionErrorsPointAtTheInstruction() {
    assertThatThrownBy(() -> plan("FROM scratch", "WORKDIR ${V:?set V}"))
        .isInstanceOf(DockerfileSyntaxException.class)
        .hasMessage("Dockerfile:2:1: failed to process \"${V:?set V}\": V: set V");
    assertThatThrownBy(() -> plan("ARG BASE", "FROM ${BASE}"))
        .hasMessage("Dockerfile:2:1: base name (${BASE}) should not be blank");
    assertThatThrownBy(() -> plan("ARG BASE=Alpine", "FROM ${BASE}"))
        .hasMessage(
            "Dockerfile:2:1: FROM Alpine: not an earlier stage's name nor a valid image reference");
  }

  @Test
  void heredocSourcesExpandUnlessTheDelimiterIsQuoted() throws Exception {
    ResolvedStage s =
        plan(
                "FROM scratch",
                "ARG NAME=world",
                "COPY <<EOF <<'RAW' /out/",
                "hello \"$NAME\"",
                "EOF",
                "hello $NAME",
                "RAW")
            .targetStage();
    CopyInstruction copy = (CopyInstruction) steps(s).get(1);
    assertThat(copy.args().inlineSources())
        .extracting(Heredoc::content)
        .containsExactly("hello \"world\"\n", "hello $NAME\n");
  }

  @Test
  void baseImageEnvFeedsExpansion() throws Exception {
    BuildPlan p =
        parse("FROM busybox", "ENV PATH=$PATH:/app/bin")
            .instructions()
            .resolve(
                BuildArgs.none(),
                Optional.empty(),
                image -> image.equals("busybox") ? Map.of("PATH", "/bin") : Map.of());
    assertThat(p.targetStage().env()).containsEntry("PATH", "/bin:/app/bin");
  }

  @Test
  void backtickEscapeAppliesToSubstitution() throws Exception {
    ResolvedStage s =
        parse("# escape=`", "FROM scratch", "ENV A=c:\\dir\\`$B")
            .instructions()
            .resolve(BuildArgs.none(), Optional.empty())
            .targetStage();
    assertThat(s.env()).containsEntry("A", "c:\\dir\\$B");
  }

  @Test
  void copyAndAddOptionsAreExpandedButFromIsNot() throws Exception {
    ResolvedStage s =
        plan(
                "FROM scratch AS build",
                "FROM scratch",
                "ARG U=app MODE=0755 DEST=/srv",
                "COPY --from=build --chown=$U:$U --chmod=$MODE --exclude=$U.log a $DEST/",
                "ADD --chown=$U https://example.com/$U.tgz $DEST/")
            .targetStage();
    CopyInstruction copy = (CopyInstruction) steps(s).get(1);
    assertThat(copy.args().chown()).contains("app:app");
    assertThat(copy.args().chmod()).contains("0755");
    assertThat(copy.args().excludes()).containsExactly("app.log");
    assertThat(copy.args().destination()).isEqualTo("/srv/");
    assertThat(copy.from()).contains("build");
    AddInstruction add = (AddInstruction) steps(s).get(2);
    assertThat(add.args().sources()).containsExactly("https://example.com/app.tgz");
  }
}
