package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.layer.TarEntry;
import dev.stamp.runtime.layer.TarWriter;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Dockerfile cannot read or write the build host outside its context: each test tries one way (a
 * "victim" directory outside the context stands for the host) and checks it is refused or confined.
 */
@RequiresRoot
class BuildConfinementIT {

  @TempDir static Path shared;
  @TempDir Path tmp;

  static StampRoot root;

  Path victim;

  @BeforeAll
  static void buildBase() throws Exception {
    if (!BusyboxRootfs.available()) {
      return;
    }
    root = new StampRoot(shared.resolve("root"));
    ImageBuilderIT.buildSampleBase(root, shared.resolve("base-ctx"), "");
  }

  @BeforeEach
  void setUp() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
    victim = tmp.resolve("host");
    Files.createDirectories(victim);
    Files.writeString(victim.resolve("f"), "host\n");
  }

  private Path context(String dockerfile, String... files) throws IOException {
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    for (int i = 0; i + 1 < files.length; i += 2) {
      Path f = ctx.resolve(files[i]);
      Files.createDirectories(f.getParent());
      Files.writeString(f, files[i + 1]);
    }
    return ctx;
  }

  private static BuildResult build(Path ctx) throws BuildException {
    return ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE);
  }

  private List<String> victimFiles() throws IOException {
    try (Stream<Path> s = Files.list(victim)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** A tar whose entry {@code name} is a symlink to {@code target}. */
  private static void symlinkTar(Path tar, String name, String target) throws IOException {
    try (OutputStream out = Files.newOutputStream(tar)) {
      TarWriter w = new TarWriter(out);
      w.write(TarEntry.symlink(name, target, 0, 0, 0), null);
      w.finish();
    }
  }

  @Test
  void aFileOfTheSameAddIsWrittenInsideTheImageThroughASymlinkAnArchivePutThere() throws Exception {
    Path ctx =
        context(
            "FROM " + ImageBuilderIT.BASE + "\nADD dir/ evil.tar /out/\n", "dir/s/pwned", "x\n");
    symlinkTar(ctx.resolve("evil.tar"), "s", victim.toString());
    BuildResult result = build(ctx);
    assertThat(victimFiles()).containsExactly("f");
    Path rootfs = tmp.resolve("rootfs");
    ImageBuilderIT.unpackTo(root, result, rootfs);
    assertThat(Files.readSymbolicLink(rootfs.resolve("out/s"))).isEqualTo(victim);
    assertThat(Files.readString(rootfs.resolve(victim.toString().substring(1)).resolve("pwned")))
        .as("the link is followed inside the image, as Docker's COPY does")
        .isEqualTo("x\n");
  }

  @Test
  void aHeredocOfTheSameAddCannotBeWrittenThroughASymlinkAnArchivePutThere() throws Exception {
    Path ctx = context("FROM " + ImageBuilderIT.BASE + "\nADD evil.tar <<s /out/\npwned\ns\n");
    symlinkTar(ctx.resolve("evil.tar"), "s", victim.resolve("f").toString());
    BuildResult result = build(ctx);
    assertThat(Files.readString(victim.resolve("f"))).isEqualTo("host\n");
    Path rootfs = tmp.resolve("rootfs");
    ImageBuilderIT.unpackTo(root, result, rootfs);
    assertThat(Files.readString(rootfs.resolve("out/s"))).isEqualTo("pwned\n");
  }

  @Test
  void runBindSourcesStayInTheContext() throws Exception {
    String run = "\nRUN --mount=type=bind,source=%s,target=/m cat /m/f > /got\n";
    Path link = context("FROM " + ImageBuilderIT.BASE + run.formatted("link"));
    Files.createSymbolicLink(link.resolve("link"), victim);
    assertThatThrownBy(() -> build(link))
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("points outside the build context")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);

    Path parent = context("FROM " + ImageBuilderIT.BASE + run.formatted("dir/f"));
    Files.createSymbolicLink(parent.resolve("dir"), victim);
    assertThatThrownBy(() -> build(parent))
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("source is not in the build context")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);

    Path climb = context("FROM " + ImageBuilderIT.BASE + run.formatted("../host"));
    assertThatThrownBy(() -> build(climb))
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("source is not in the build context");

    Path absolute = context("FROM " + ImageBuilderIT.BASE + run.formatted(victim.toString()));
    assertThatThrownBy(() -> build(absolute))
        .as("an absolute source is a context path")
        .hasMessageContaining("source is not in the build context");
  }

  @Test
  void copyOfAnAbsoluteHostPathReadsTheContextNotTheHost() throws Exception {
    Path ctx = context("FROM " + ImageBuilderIT.BASE + "\nCOPY " + victim + "/f /x\n");
    assertThatThrownBy(() -> build(ctx))
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("no such file or directory in the build context")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);
  }

  @Test
  void aCacheIdWithDotDotStaysUnderTheBuildCache() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN --mount=type=cache,id=../../../../../../.."
                + victim
                + ",target=/c ls /c > /listing && touch /c/pwned\n");
    BuildResult result = build(ctx);
    assertThat(victimFiles()).containsExactly("f");
    Path rootfs = tmp.resolve("rootfs");
    ImageBuilderIT.unpackTo(root, result, rootfs);
    assertThat(Files.readString(rootfs.resolve("listing"))).isEmpty();
  }

  @Test
  void aSecretSourceIsAnIdNeverAHostPath() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN --mount=type=secret,source="
                + victim.resolve("f")
                + ",target=/s (test -e /s && echo leaked || echo absent) > /got\n");
    BuildResult result = build(ctx);
    Path rootfs = tmp.resolve("rootfs");
    ImageBuilderIT.unpackTo(root, result, rootfs);
    assertThat(Files.readString(rootfs.resolve("got"))).isEqualTo("absent\n");
    Path required =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN --mount=type=secret,source="
                + victim.resolve("f")
                + ",required true\n");
    assertThatThrownBy(() -> build(required))
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("no secret")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
    assertThat(victimFiles()).containsExactly("f");
  }

  @Test
  void writesOfAStepStayInItsLayer() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN mkdir -p "
                + victim
                + " && echo x > "
                + victim
                + "/pwned\n");
    build(ctx);
    assertThat(victimFiles()).containsExactly("f");
  }

  @Test
  void copyFromAStageNeverFollowsItsAbsoluteSymlinksOnTheHost() throws Exception {
    String stage =
        "FROM "
            + ImageBuilderIT.BASE
            + " AS s\nRUN ln -s "
            + victim
            + " /lnk && mkdir -p /usr/x && echo in > /usr/x/f && ln -s usr/x /rel\n"
            + "FROM "
            + ImageBuilderIT.BASE
            + "\n";
    Path escape = context(stage + "COPY --from=s /lnk/f /got\n");
    assertThatThrownBy(() -> build(escape))
        .as("the link names the stage's own " + victim + ", which it does not have")
        .hasMessageStartingWith("Dockerfile:4:1: COPY /lnk/f: no such file or directory")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);

    Path inside = context(stage + "COPY --from=s /rel/f /got\nCOPY --from=s /lnk /lnk\n");
    BuildResult result = build(inside);
    Path rootfs = tmp.resolve("rootfs");
    ImageBuilderIT.unpackTo(root, result, rootfs);
    assertThat(Files.readString(rootfs.resolve("got"))).isEqualTo("in\n");
    assertThat(Files.readSymbolicLink(rootfs.resolve("lnk"))).isEqualTo(victim);
  }

  @Test
  void chownNamesAreNeverLookedUpInTheHostsFilesThroughAnImageSymlink() throws Exception {
    Files.createDirectories(victim.resolve("etc"));
    Files.writeString(
        victim.resolve("etc/passwd"), "hostonly:x:4242:4242::/:/bin/sh\n"); // the "host's"
    Files.writeString(victim.resolve("etc/group"), "hostonly:x:4242:\n");
    Path ctx =
        context(
            "FROM " + ImageBuilderIT.BASE + "\nADD etc.tar /\nCOPY --chown=hostonly f /f\n",
            "f",
            "x\n");
    symlinkTar(ctx.resolve("etc.tar"), "etc", victim.resolve("etc").toString());
    assertThatThrownBy(() -> build(ctx))
        .hasMessageContaining("Dockerfile:3:1")
        .hasMessageContaining("hostonly");
  }

  @Test
  void aDockerfileOrDockerignoreLinkedOutOfTheContextIsNotRead() throws Exception {
    Files.writeString(victim.resolve("secret"), "root:$6$hash:19000:0:99999:7:::\n");
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.createSymbolicLink(ctx.resolve("Dockerfile"), victim.resolve("secret"));
    assertThatThrownBy(() -> build(ctx))
        .hasMessageContaining("Dockerfile")
        .hasMessageContaining("symlink leading out of the build context")
        .hasMessageNotContaining("hash")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);

    Path ignore = context("FROM scratch\nCOPY . /\n", "a", "a\n");
    Files.createSymbolicLink(ignore.resolve(".dockerignore"), victim.resolve("secret"));
    assertThatThrownBy(() -> build(ignore))
        .hasMessageContaining(".dockerignore")
        .hasMessageContaining("symlink leading out of the build context")
        .hasMessageNotContaining("hash");

    Path outside = tmp.resolve("elsewhere.Dockerfile");
    Files.writeString(outside, "FROM scratch\nCOPY a /a\n");
    Path named = context("", "a", "a\n");
    assertThat(
            ImageBuilder.open(root)
                .build(BuildRequest.of(named).withDockerfile(outside), Progress.NONE)
                .steps())
        .as("-f naming a file outside the context is the caller's choice")
        .hasSize(1);
  }
}
