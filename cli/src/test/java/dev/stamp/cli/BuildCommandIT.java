package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stamp build} end to end: samples/base, plain progress, exit codes, nothing partial. */
@RequiresRoot
class BuildCommandIT {

  final StampCliInProcess cli = new StampCliInProcess(() -> this.tmp.resolve("root"));

  @TempDir Path tmp;

  static Path samplesBase() {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(p.resolve("samples/base"))) {
      p = p.getParent();
    }
    return p.resolve("samples/base");
  }

  @Test
  void buildsTheSamplesBaseThenReportsCacheHitsAndBadInput() throws Exception {
    assumeTrue(BusyboxRootfs.available(), "needs busybox-static");
    Path ctx = tmp.resolve("base");
    Files.createDirectories(ctx);
    for (String name : List.of("Dockerfile", "passwd", "group")) {
      Files.copy(samplesBase().resolve(name), ctx.resolve(name));
    }
    Files.copy(BusyboxRootfs.BUSYBOX, ctx.resolve("busybox"));

    assertThat(cli.code("build", "--progress", "plain", "-t", "base:1", ctx.toString()))
        .as(cli.err())
        .isZero();
    String id = cli.out().strip();
    assertThat(id).matches("sha256:[0-9a-f]{64}");
    assertThat(cli.err()).contains("#2 [stage-0 2/6] RUN [\"/bin/busybox\", \"--install\"");
    assertThat(cli.err()).containsPattern("DONE \\d+\\.\\ds");

    assertThat(
            cli.code(
                "build",
                "--progress",
                "plain",
                "--build-arg",
                "UNUSED=1",
                "-t",
                "base:1",
                ctx.toString()))
        .isZero();
    assertThat(cli.out().strip()).isEqualTo(id);
    assertThat(cli.err()).contains("warning: build args not consumed by any ARG: UNUSED");
    assertThat(cli.err()).contains("COPY busybox /bin/busybox  CACHED");

    Path app = tmp.resolve("app");
    Files.createDirectories(app);
    Files.writeString(app.resolve("Dockerfile"), "FROM base:1\nCOPY missing.txt /x\n");
    assertThat(cli.code("build", "-t", "app:1", app.toString())).isEqualTo(2);
    assertThat(cli.err())
        .contains("stamp: Dockerfile:2:1: COPY missing.txt")
        .doesNotContain("\tat ");

    Files.writeString(app.resolve("Dockerfile"), "FROM base:1\nRUN echo boom; exit 4\n");
    assertThat(cli.code("build", "--progress", "plain", "-t", "app:1", app.toString()))
        .isEqualTo(1);
    assertThat(cli.err()).contains("exit code 4").contains("boom");
    assertThat(cli.code("images", "-q")).isZero();
    assertThat(cli.out().lines()).hasSize(1);

    assertThat(cli.code("build", "--progress", "fancy", app.toString())).isEqualTo(2);
    assertThat(cli.code("build", "--target", "nope", app.toString())).isEqualTo(2);
    assertThat(cli.err())
        .isEqualTo("stamp: build target \"nope\": no stage with that name in Dockerfile\n");
    assertThat(cli.code("images", "-q")).isZero();
    assertThat(cli.out().lines()).hasSize(1);
  }

  private void buildBase() throws Exception {
    Path ctx = tmp.resolve("base");
    Files.createDirectories(ctx);
    for (String name : List.of("Dockerfile", "passwd", "group")) {
      Files.copy(samplesBase().resolve(name), ctx.resolve(name));
    }
    Files.copy(BusyboxRootfs.BUSYBOX, ctx.resolve("busybox"));
    assertThat(cli.code("build", "-t", "base:1", ctx.toString())).as(cli.err()).isZero();
  }

  @Test
  void aDockerfileOutsideTheContextWithItsOwnDockerignoreAndASecret() throws Exception {
    assumeTrue(BusyboxRootfs.available(), "needs busybox-static");
    buildBase();
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("keep.txt"), "k\n");
    Files.writeString(ctx.resolve("other.txt"), "o\n");
    Files.writeString(ctx.resolve("ignored.txt"), "i\n");
    Files.writeString(ctx.resolve(".dockerignore"), "other.txt\n");
    Path elsewhere = tmp.resolve("elsewhere");
    Files.createDirectories(elsewhere);
    Path dockerfile = elsewhere.resolve("app.Dockerfile");
    Files.writeString(
        dockerfile,
        "FROM base:1\nCOPY . /src/\n"
            + "RUN --mount=type=secret,id=tok,required test -e /src/keep.txt && test -e /src/other.txt"
            + " && test ! -e /src/ignored.txt && test ! -e /src/app.Dockerfile"
            + " && wc -c < /run/secrets/tok > /toklen\n");
    Files.writeString(elsewhere.resolve("app.Dockerfile.dockerignore"), "ignored.txt\n");
    Path secret = tmp.resolve("tok");
    Files.writeString(secret, "abcdef");

    assertThat(cli.code("build", "-f", dockerfile.toString(), "-t", "app:2", ctx.toString()))
        .as("without the secret")
        .isEqualTo(2);
    assertThat(cli.err()).contains("no secret \"tok\"").doesNotContain("\tat ");
    assertThat(
            cli.code(
                "build",
                "-f",
                dockerfile.toString(),
                "--secret",
                "id=tok,src=" + secret,
                "--pull=false",
                "-t",
                "app:2",
                ctx.toString()))
        .as(cli.err())
        .isZero();
    assertThat(cli.code("build", "--secret", "id=tok,src=" + tmp.resolve("nope"), ctx.toString()))
        .isEqualTo(2);
    assertThat(cli.err()).contains("--secret id=tok,src=").contains("cannot read");
  }

  @Test
  void runNetworkHostNeedsAllowNetworkHost() throws Exception {
    assumeTrue(BusyboxRootfs.available(), "needs busybox-static");
    Path ctx = tmp.resolve("nethost");
    Files.createDirectories(ctx);
    Files.copy(BusyboxRootfs.BUSYBOX, ctx.resolve("busybox"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/sh\n"
            + "RUN --network=host [\"/bin/sh\", \"-c\", \"test -d /proc/self\"]\n");

    assertThat(cli.code("build", "--progress", "plain", ctx.toString())).isEqualTo(2);
    assertThat(cli.err())
        .contains("Dockerfile:3:1: RUN --network=host: ")
        .contains("stamp build --allow network.host")
        .doesNotContain("\tat ");

    assertThat(cli.code("build", "--progress", "plain", "--allow", "network.host", ctx.toString()))
        .as(cli.err())
        .isZero();
    assertThat(cli.out().strip()).matches("sha256:[0-9a-f]{64}");

    assertThat(cli.code("build", "--allow", "security.insecure", ctx.toString())).isEqualTo(2);
    assertThat(cli.err()).contains("--allow security.insecure: unknown entitlement");
  }
}
