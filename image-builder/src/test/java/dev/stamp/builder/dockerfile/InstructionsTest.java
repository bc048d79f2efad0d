package dev.stamp.builder.dockerfile;

import static dev.stamp.builder.dockerfile.DockerfileParserTest.errorOf;
import static dev.stamp.builder.dockerfile.DockerfileParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InstructionsTest {

  private static Instruction instruction(String line) throws Exception {
    return parse("FROM scratch", line).stages().get(0).instructions().get(0);
  }

  @Test
  void stagesGroupInstructionsAndGlobalArgsPrecedeTheFirstFrom() throws Exception {
    Instructions in =
        parse(
                "ARG VERSION=1.0",
                "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build",
                "RUN go build",
                "FROM scratch",
                "COPY --from=build /out /")
            .instructions();
    assertThat(in.globalArgs()).hasSize(1);
    assertThat(in.stages()).hasSize(2);
    Stage build = in.stages().get(0);
    assertThat(build.name()).contains("build");
    assertThat(build.from().platform()).contains("$BUILDPLATFORM");
    assertThat(build.from().image()).isEqualTo("golang:1.22");
    assertThat(build.instructions()).hasSize(1);
    assertThat(in.stages().get(1).displayName()).isEqualTo("stage-1");
    assertThat(in.stage("BUILD")).contains(build);
    assertThat(in.stage("1")).contains(in.stages().get(1));
  }

  @Test
  void runCarriesMountsNetworkSecurityAndForm() throws Exception {
    RunInstruction run =
        (RunInstruction)
            instruction(
                "RUN --mount=type=cache,target=/root/.cache,id=go,sharing=locked"
                    + " --mount=type=secret,id=token,required --mount=type=bind,from=0,source=/x,target=/y"
                    + " --mount=type=tmpfs,target=/tmp,size=64m --network=none [\"make\"]");
    assertThat(run.command()).isEqualTo(ShellOrExec.exec(List.of("make")));
    assertThat(run.network()).isEqualTo("none");
    assertThat(run.security()).isEqualTo("sandbox");
    assertThat(run.mounts())
        .extracting(RunMount::type)
        .containsExactly("cache", "secret", "bind", "tmpfs");
    RunMount cache = run.mounts().get(0);
    assertThat(cache.target()).contains("/root/.cache");
    assertThat(cache.sharing()).contains("locked");
    assertThat(cache.readOnly()).isFalse();
    assertThat(run.mounts().get(1).required()).isTrue();
    assertThat(run.mounts().get(2).readOnly()).isTrue();
    assertThat(run.mounts().get(2).from()).contains("0");
    assertThat(run.mounts().get(3).size()).contains("64m");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "RUN --mount=type=nfs,target=/x true|2:5: --mount: unsupported mount type \"nfs\"",
        "RUN --mount=target=/x,bogus=1 true|2:5: --mount: unexpected key 'bogus' in 'bogus=1'",
        "RUN --mount=type=bind true|2:5: --mount: mount type=bind requires a target",
        "RUN --mount=type=secret,from=x,id=a true|2:5: --mount: secret mount should not have a"
            + " from",
        "RUN --mount=type=bind,target=/x,mode=0600 true|2:5: --mount: mode not allowed for"
            + " \"bind\" type mounts",
        "RUN --mount=type=cache,target=/x,uid=abc true|2:5: --mount: invalid value abc for uid",
        "RUN --mount=type=bind,target=/x,sharing=shared true|2:5: --mount: invalid cache sharing"
            + " set for bind mount",
        "RUN --mount=type=bind,from=$STAGE,target=/x true|2:5: --mount: 'from' doesn't support"
            + " variable expansion, define alias stage instead",
        "RUN --network=bridge true|2:5: unsupported network mode \"bridge\"",
        "RUN --security=root true|2:5: unsupported security mode \"root\"",
        "RUN --chmod=755 true|2:5: unknown flag: --chmod",
        "RUN|2:1: RUN requires at least one argument",
        "COPY --chmodd=644 a /b|2:6: unknown flag: --chmodd",
        "COPY --from=a --from=b x /y|2:15: duplicate flag: --from",
        "COPY --from x /y|2:6: missing a value on flag: --from",
        "COPY --link=yes x /y|2:6: expecting boolean value for flag --link, not: yes",
        "COPY onlyone|2:1: COPY requires at least two arguments, but only one was provided."
            + " Destination could not be determined",
        "COPY a <<EOF|2:8: unterminated heredoc <<EOF (opened here)",
        "ADD --parents a /b|2:5: unknown flag: --parents",
        "ADD --checksum=md5:abc https://x/y /z|2:5: invalid checksum digest format"
            + " \"md5:abc\" (want sha256:<hex>)",
        "ADD --checksum=sha256:abc local.tar /z|2:5: --checksum can only be used with URL"
            + " sources, not \"local.tar\"",
        "FROM a b|2:1: FROM requires either one or three arguments",
        "FROM a AS 1st|2:11: invalid name for build stage: \"1st\", name can't start with a"
            + " number or contain symbols",
        "FROM --platfrm=linux/amd64 a|2:6: unknown flag: --platfrm",
        "ENV|2:1: ENV requires at least one argument",
        "ENV =x|2:5: ENV names can not be blank",
        "LABEL|2:1: LABEL requires at least one argument",
        "ARG =x|2:5: ARG names can not be blank",
        "ARG|2:1: ARG requires at least one argument",
        "USER|2:1: USER requires exactly one argument",
        "WORKDIR|2:1: WORKDIR requires exactly one argument",
        "STOPSIGNAL|2:1: STOPSIGNAL requires exactly one argument",
        "MAINTAINER|2:1: MAINTAINER requires exactly one argument",
        "EXPOSE|2:1: EXPOSE requires at least one argument",
        "VOLUME|2:1: VOLUME requires at least one argument",
        "VOLUME [\"\"]|2:8: VOLUME specified can not be an empty string",
        "SHELL /bin/sh -c|2:7: SHELL requires the arguments to be in JSON form",
        "SHELL []|2:1: SHELL requires at least one argument",
        "ONBUILD|2:1: ONBUILD requires at least one argument",
        "ONBUILD ONBUILD RUN x|2:9: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        "ONBUILD FROM alpine|2:9: FROM isn't allowed as an ONBUILD trigger",
        "onbuild maintainer me|2:9: MAINTAINER isn't allowed as an ONBUILD trigger",
        "ONBUILD COPY --chmodd=1 a b|2:14: unknown flag: --chmodd",
        "HEALTHCHECK|2:1: HEALTHCHECK requires at least one argument",
        "HEALTHCHECK NONE x|2:18: HEALTHCHECK NONE takes no arguments",
        "HEALTHCHECK CMD|2:1: Missing command after HEALTHCHECK CMD",
        "HEALTHCHECK TEST x|2:13: Unknown type \"TEST\" in HEALTHCHECK (try CMD)",
        "HEALTHCHECK --interval=5x CMD true|2:13: --interval: time: unknown unit \"x\" in duration \"5x\"",
        "HEALTHCHECK --timeout=10us CMD true|2:13: Interval \"timeout\" cannot be less than 1ms",
        "HEALTHCHECK --retries=-1 CMD true|2:13: --retries cannot be negative (-1)",
        "HEALTHCHECK --retries=x CMD true|2:13: --retries: invalid integer \"x\"",
        "HEALTHCHECK --intervall=5s CMD true|2:13: unknown flag: --intervall",
        "ENV A=\"unterminated|2:7: failed to process \"\"unterminated\": unexpected end of"
            + " statement while looking for matching double-quote",
        "COPY 'a b /c|2:6: failed to process \"'a\": unexpected end of statement while looking"
            + " for matching single-quote",
        "WORKDIR /x/${|2:12: failed to process \"/x/${\": syntax error: missing '}'",
        "LABEL v=${}|2:9: failed to process \"${}\": syntax error: bad substitution",
      })
  void badInstructionsAreReportedAtFileLineColumn(String line, String expected) {
    assertThat(errorOf("FROM scratch", line)).isEqualTo("Dockerfile:" + expected);
  }

  @Test
  void aHeredocCannotBeTheDestination() {
    assertThat(errorOf("FROM scratch", "COPY a <<EOF", "x", "EOF"))
        .isEqualTo("Dockerfile:2:8: COPY cannot accept a heredoc as a destination");
  }

  @Test
  void instructionsBeforeTheFirstFromOtherThanArgAreErrors() {
    assertThat(errorOf("ARG A", "RUN true", "FROM scratch"))
        .isEqualTo("Dockerfile:2:1: RUN before the first FROM: no build stage in current context");
    assertThat(errorOf("ARG A")).startsWith("Dockerfile:1:1: no FROM instruction");
  }

  @Test
  void duplicateStageNamesAreErrors() {
    assertThat(errorOf("FROM scratch AS a", "FROM scratch AS A"))
        .isEqualTo("Dockerfile:2:17: duplicate stage name \"a\"");
  }

  @Test
  void copyFromMustNameAStageAnIndexOrAnImage() {
    assertThat(errorOf("FROM scratch AS build", "FROM scratch", "", "COPY --from=Bu!ld a b"))
        .isEqualTo("Dockerfile:4:6: COPY --from=Bu!ld: no stage or image named \"Bu!ld\"");
    assertThat(errorOf("FROM scratch", "COPY --from=Alpine a b"))
        .isEqualTo(
            "Dockerfile:2:6: COPY --from=Alpine: no stage or image named \"Alpine\" (image"
                + " names are lower case)");
    assertThat(errorOf("FROM scratch", "COPY --from=3 a b"))
        .isEqualTo(
            "Dockerfile:2:6: COPY --from=3: invalid stage index 3 (stages are numbered 0 to 0)");
    assertThat(errorOf("FROM scratch", "COPY --from=$IMG a b"))
        .startsWith("Dockerfile:2:6: COPY --from=$IMG: variables are not expanded here");
    assertThat(errorOf("FROM scratch", "RUN --mount=from=Bad!,target=/x true"))
        .isEqualTo("Dockerfile:2:5: RUN --mount=from=Bad!: no stage or image named \"Bad!\"");
  }

  @Test
  void copyFromAValidImageReferenceIsAnImageLikeBuildKit() throws Exception {
    Instructions in =
        parse("FROM scratch AS build", "FROM scratch", "COPY --from=biuld a b").instructions();
    CopyInstruction copy = (CopyInstruction) in.stages().get(1).instructions().get(0);
    assertThat(copy.from()).contains("biuld");
    assertThat(in.stage("biuld")).isEmpty();
  }

  @Test
  void copyAndAddCarryEveryOption() throws Exception {
    CopyInstruction copy =
        (CopyInstruction)
            instruction(
                "COPY --from=0 --chown=app:app --chmod=0644 --link --exclude=*.md"
                    + " --exclude=tmp --parents a/ b/ /dest/");
    assertThat(copy.args().sources()).containsExactly("a/", "b/");
    assertThat(copy.args().destination()).isEqualTo("/dest/");
    assertThat(copy.from()).contains("0");
    assertThat(copy.args().chown()).contains("app:app");
    assertThat(copy.args().chmod()).contains("0644");
    assertThat(copy.args().link()).isTrue();
    assertThat(copy.parents()).isTrue();
    assertThat(copy.args().excludes()).containsExactly("*.md", "tmp");

    AddInstruction add =
        (AddInstruction)
            instruction(
                "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
                    + " --keep-git-dir=false https://example.com/a.tar.gz /x/");
    assertThat(add.checksum()).hasValueSatisfying(c -> assertThat(c).startsWith("sha256:"));
    assertThat(add.keepGitDir()).isFalse();
    assertThat(AddInstruction.isUrl(add.args().sources().get(0))).isTrue();
    assertThat(AddInstruction.isGitRepository("https://github.com/moby/buildkit.git#v0.10.1"))
        .isTrue();
    assertThat(AddInstruction.isGitRepository("archive.tar")).isFalse();
  }

  @Test
  void heredocSourcesBecomeInlineFiles() throws Exception {
    CopyInstruction copy =
        (CopyInstruction)
            parse("FROM scratch", "COPY <<-EOF local.txt /app/", "\thello", "EOF")
                .stages()
                .get(0)
                .instructions()
                .get(0);
    assertThat(copy.args().sources()).containsExactly("local.txt");
    assertThat(copy.args().inlineSources()).extracting(Heredoc::name).containsExactly("EOF");
    assertThat(copy.args().inlineSources().get(0).body()).isEqualTo("hello\n");
  }

  @Test
  void healthcheckOptions() throws Exception {
    HealthcheckInstruction hc =
        (HealthcheckInstruction)
            instruction(
                "HEALTHCHECK --interval=1m30s --timeout=3s --start-period=0 --start-interval=500ms"
                    + " --retries=3 CMD curl -f http://localhost/");
    assertThat(hc.test()).containsExactly("CMD-SHELL", "curl -f http://localhost/");
    assertThat(hc.interval()).contains(Duration.ofSeconds(90));
    assertThat(hc.timeout()).contains(Duration.ofSeconds(3));
    assertThat(hc.startPeriod()).isEmpty();
    assertThat(hc.startInterval()).contains(Duration.ofMillis(500));
    assertThat(hc.retries()).contains(3);
    assertThat(hc.isNone()).isFalse();
    HealthcheckInstruction exec =
        (HealthcheckInstruction) instruction("HEALTHCHECK CMD [\"/bin/check\", \"-q\"]");
    assertThat(exec.test()).containsExactly("CMD", "/bin/check", "-q");
    assertThat(((HealthcheckInstruction) instruction("healthcheck none")).isNone()).isTrue();
  }

  @Test
  void onbuildNestsATypedTrigger() throws Exception {
    OnbuildInstruction ob = (OnbuildInstruction) instruction("ONBUILD COPY --link . /src");
    assertThat(ob.trigger()).isInstanceOf(CopyInstruction.class);
    assertThat(((CopyInstruction) ob.trigger()).args().link()).isTrue();
    assertThat(ob.expression()).isEqualTo("COPY --link . /src");
  }

  @Test
  void simpleInstructionsKeepTheirText() throws Exception {
    assertThat(instruction("CMD echo hi")).isInstanceOf(CmdInstruction.class);
    assertThat(((CmdInstruction) instruction("CMD echo hi")).command())
        .isEqualTo(ShellOrExec.shell("echo hi"));
    assertThat(((EntrypointInstruction) instruction("ENTRYPOINT []")).command().args()).isEmpty();
    assertThat(((ShellInstruction) instruction("SHELL [\"bash\", \"-lc\"]")).shell())
        .containsExactly("bash", "-lc");
    assertThat(((ExposeInstruction) instruction("EXPOSE 80 53/udp")).ports())
        .containsExactly("80", "53/udp");
    assertThat(((UserInstruction) instruction("USER app:app")).user()).isEqualTo("app:app");
    assertThat(((WorkdirInstruction) instruction("WORKDIR /a b")).path()).isEqualTo("/a b");
    assertThat(((StopsignalInstruction) instruction("STOPSIGNAL SIGQUIT")).signal())
        .isEqualTo("SIGQUIT");
    assertThat(((VolumeInstruction) instruction("VOLUME /a /b")).paths())
        .containsExactly("/a", "/b");
    assertThat(((MaintainerInstruction) instruction("MAINTAINER A <a@b>")).maintainer())
        .isEqualTo("A <a@b>");
    assertThat(((ArgInstruction) instruction("ARG A B=2")).args())
        .containsExactly(
            new ArgDeclaration("A", Optional.empty()), new ArgDeclaration("B", Optional.of("2")));
    assertThat(((LabelInstruction) instruction("LABEL a=1 b=2")).labels())
        .containsExactly(new KeyValue("a", "1"), new KeyValue("b", "2"));
    assertThat(instruction("ENV A 1").keyword()).isEqualTo("ENV");
  }
}
