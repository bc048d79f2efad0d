package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.layer.TarEntry;
import dev.stamp.runtime.layer.TarWriter;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 §1: a path inside a stage or image resolves inside it. A stage and an image hold
 * absolute links ({@code /e -> /etc}), climbing links ({@code ../../../../etc}), chains, loops and
 * links to a host directory holding a canary; every entry point (COPY --from a stage and an image,
 * COPY destinations, --chown, USER, WORKDIR, RUN --mount from=) reads and writes the image's own
 * files, a loop is bad input naming the instruction and the path with no layer left behind, and the
 * canary's content is in no blob, layer, cache entry or build output.
 */
@RequiresRoot
class InRootBuildIT {

  @TempDir static Path shared;
  @TempDir Path tmp;

  static StampRoot root;
  static Path canaryDir;
  static String canary;
  static final List<String> output = Collections.synchronizedList(new ArrayList<>());

  static final String STAGE =
      "FROM "
          + ImageBuilderIT.BASE
          + " AS s\n"
          + "RUN echo stage-shadow > /etc/shadow && ln -s /etc /e"
          + " && ln -s ../../../../../../../etc /climb && mkdir -p /usr/x"
          + " && ln -s ../../../../../../../e /usr/x/up && ln -s /e /chain1 && ln -s chain1 /chain2"
          + " && ln -s /loop2 /loop1 && ln -s /loop1 /loop2 && ln -s %s/etc /hoste\n";

  static final String EVIL = "inroot/evil:1";

  @BeforeAll
  static void setUp() throws Exception {
    if (!BusyboxRootfs.available()) {
      return;
    }
    root = new StampRoot(shared.resolve("root"));
    ImageBuilderIT.buildSampleBase(root, shared.resolve("base-ctx"), "");
    canary = "inroot-canary-content-" + UUID.randomUUID();
    canaryDir = Files.createTempDirectory(Path.of("/tmp"), "inroot-canary-");
    Files.createDirectories(canaryDir.resolve("etc"));
    Files.writeString(canaryDir.resolve("etc/shadow"), "root:" + canary + ":19000::::::\n");
    Files.writeString(
        canaryDir.resolve("etc/passwd"), "hostonly:x:4242:4242:" + canary + ":/:/bin/sh\n");
    Files.writeString(canaryDir.resolve("etc/group"), "hostonly:x:4242:" + canary + "\n");
    // an image (as if pulled from any registry) whose layer holds /e -> /etc and friends
    Path ctx = Files.createDirectories(shared.resolve("evil-ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + ImageBuilderIT.BASE
            + "\nRUN echo image-shadow > /etc/shadow && ln -s /etc /e"
            + " && ln -s ../../../../../etc /climb && ln -s /l2 /l1 && ln -s /l1 /l2"
            + " && ln -s "
            + canaryDir
            + "/etc /hoste && ln -s /hoste /chain\n");
    ImageBuilder.open(root)
        .build(BuildRequest.of(ctx).withTags(List.of(ImageReference.parse(EVIL))), recording());
    // the stage, so a refused build that uses it adds nothing of its own
    Path stage = Files.createDirectories(shared.resolve("stage-ctx"));
    Files.writeString(stage.resolve("Dockerfile"), STAGE.formatted(canaryDir));
    ImageBuilder.open(root).build(BuildRequest.of(stage), recording());
  }

  @AfterAll
  static void canaryNeverLeaked() throws IOException {
    if (root == null) {
      return;
    }
    try {
      byte[] needle = canary.getBytes(StandardCharsets.UTF_8);
      List<String> holders = new ArrayList<>();
      try (Stream<Path> all = Files.walk(root.path())) {
        for (Path p : (Iterable<Path>) all::iterator) {
          if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
              && indexOf(Files.readAllBytes(p), needle) >= 0) {
            holders.add(p.toString());
          }
        }
      }
      assertThat(holders).as("files of the state root holding the host's canary").isEmpty();
      synchronized (output) {
        assertThat(output).as("build output").noneMatch(l -> l.contains(canary));
      }
    } finally {
      AtomicFiles.deleteTree(canaryDir);
    }
  }

  @BeforeEach
  void busybox() {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
  }

  private static Progress recording() {
    return new Progress() {
      @Override
      public void output(int number, String line) {
        output.add(line);
      }

      @Override
      public void finished(StepReport step) {
        output.add(step.text());
      }
    };
  }

  private Path context(String dockerfile, String... files) throws IOException {
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    for (int i = 0; i + 1 < files.length; i += 2) {
      Files.writeString(ctx.resolve(files[i]), files[i + 1]);
    }
    return ctx;
  }

  private static BuildResult build(Path ctx) throws BuildException {
    return ImageBuilder.open(root).build(BuildRequest.of(ctx), recording());
  }

  private Path unpack(BuildResult result) throws Exception {
    Path rootfs = Files.createTempDirectory(tmp, "rootfs").resolve("rootfs");
    ImageBuilderIT.unpackTo(root, result, rootfs);
    return rootfs;
  }

  private static String stage() {
    return STAGE.formatted(canaryDir);
  }

  /** The build fails with bad input at {@code at}, naming {@code path}, adding no blob or layer. */
  private void refusedWithoutALayer(Path ctx, String at, String... mentions) throws Exception {
    TreeSet<String> before = stored();
    assertThatThrownBy(() -> build(ctx))
        .isInstanceOf(StampException.class)
        .hasMessageStartingWith(at)
        .hasMessageContainingAll(mentions)
        .hasMessageNotContaining(canary)
        .hasMessageNotContaining("\tat ")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
    assertThat(stored()).as("blobs and layers after the refused build").isEqualTo(before);
    try (Stream<Path> s = Files.list(root.path().resolve("build-tmp"))) {
      assertThat(s.toList()).as("build-tmp").isEmpty();
    }
  }

  private static TreeSet<String> stored() throws IOException {
    TreeSet<String> out = new TreeSet<>();
    for (String dir : List.of("blobs", "layers")) {
      Path d = root.path().resolve(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.walk(d, 3)) {
          s.forEach(p -> out.add(root.path().relativize(p).toString()));
        }
      }
    }
    return out;
  }

  @Test
  void copyFromAStageReadsTheStagesOwnFilesThroughItsLinks() throws Exception {
    Path ctx =
        context(
            stage()
                + "FROM "
                + ImageBuilderIT.BASE
                + "\nCOPY --from=s /e/shadow /abs\n"
                + "COPY --from=s /climb/shadow /climb\n"
                + "COPY --from=s /usr/x/up/shadow /up\n"
                + "COPY --from=s /chain2/shadow /chain\n"
                + "COPY --from=s /e/sha* /glob/\n"
                + "COPY --from=s /e /e\n");
    Path rootfs = unpack(build(ctx));
    for (String p : List.of("abs", "climb", "up", "chain", "glob/shadow")) {
      assertThat(Files.readString(rootfs.resolve(p))).as(p).isEqualTo("stage-shadow\n");
    }
    assertThat(Files.readSymbolicLink(rootfs.resolve("e")))
        .as("a link is copied as a link")
        .isEqualTo(Path.of("/etc"));

    Path host =
        context(stage() + "FROM " + ImageBuilderIT.BASE + "\nCOPY --from=s /hoste/shadow /x\n");
    assertThatThrownBy(() -> build(host))
        .as("the host's path names nothing inside the stage")
        .hasMessageStartingWith("Dockerfile:4:1: COPY /hoste/shadow: no such file")
        .hasMessageNotContaining(canary)
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);
  }

  @Test
  void copyFromAnImageReadsTheImagesOwnFilesThroughItsLinks() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nCOPY --from="
                + EVIL
                + " /e/shadow /abs\nCOPY --from="
                + EVIL
                + " /climb/shadow /climb\n");
    Path rootfs = unpack(build(ctx));
    assertThat(Files.readString(rootfs.resolve("abs"))).isEqualTo("image-shadow\n");
    assertThat(Files.readString(rootfs.resolve("climb"))).isEqualTo("image-shadow\n");
    Path host =
        context("FROM " + ImageBuilderIT.BASE + "\nCOPY --from=" + EVIL + " /chain/shadow /x\n");
    assertThatThrownBy(() -> build(host))
        .hasMessageStartingWith("Dockerfile:2:1: COPY /chain/shadow: no such file")
        .hasMessageNotContaining(canary);
  }

  @Test
  void aLoopIsRefusedAtItsInstructionNamingThePathWithNoLayer() throws Exception {
    String from = "FROM " + ImageBuilderIT.BASE + "\n";
    refusedWithoutALayer(
        context(stage() + from + "COPY --from=s /loop1/x /x\n"),
        "Dockerfile:4:1: COPY /loop1/x: ",
        "\"/loop1/x\"",
        "more than 40 symbolic links (a loop?)");
    refusedWithoutALayer(
        context(from + "COPY --from=" + EVIL + " /l1/x /x\n"),
        "Dockerfile:2:1: COPY /l1/x: ",
        "\"/l1/x\"",
        "a loop?");
    refusedWithoutALayer(
        context(stage() + from + "COPY --from=s /e/../../../etc/shadow /x\n"),
        "Dockerfile:4:1: COPY /e/../../../etc/shadow: ",
        "the path climbs out of the source's root filesystem");
    String evil = "FROM " + EVIL + "\n";
    refusedWithoutALayer(
        context(evil + "WORKDIR /l1/app\n"),
        "Dockerfile:2:1: WORKDIR /l1/app: ",
        "\"/l1/app\"",
        "a loop?");
    refusedWithoutALayer(
        context(evil + "COPY f /l2/f\n", "f", "f\n"),
        "Dockerfile:2:1: COPY /l2/f: ",
        "/l2",
        "a loop?");
    refusedWithoutALayer(
        context(evil + "RUN --mount=type=bind,from=" + EVIL + ",source=/l1,target=/m true\n"),
        "Dockerfile:2:1: RUN --mount ",
        "/l1",
        "a loop?");
  }

  @Test
  void destinationsAndWorkdirsThroughAnImagesLinkLandInsideTheImage() throws Exception {
    Path ctx =
        context(
            "FROM "
                + EVIL
                + "\nCOPY f /e/copied\nCOPY f /hoste/\nWORKDIR /e/app\nWORKDIR /chain/wd\n"
                + "RUN touch ran-here\n",
            "f",
            "f\n");
    Path rootfs = unpack(build(ctx));
    assertThat(Files.readString(rootfs.resolve("etc/copied"))).isEqualTo("f\n");
    assertThat(Files.readSymbolicLink(rootfs.resolve("e"))).isEqualTo(Path.of("/etc"));
    Path inImage = rootfs.resolve(canaryDir.toString().substring(1));
    assertThat(Files.readString(inImage.resolve("etc/f"))).isEqualTo("f\n");
    assertThat(Files.isDirectory(rootfs.resolve("etc/app"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(Files.isDirectory(inImage.resolve("etc/wd"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(inImage.resolve("etc/wd/ran-here")).as("RUN's working dir").exists();
    try (Stream<Path> s = Files.list(canaryDir.resolve("etc"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .as("the host directory the links name")
          .containsExactly("group", "passwd", "shadow");
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
  void namesAreLookedUpInTheImageNeverThroughItsLinkToAHostDirectory() throws Exception {
    String base = "FROM " + ImageBuilderIT.BASE + "\nADD etc.tar /\n";
    Path chown = context(base + "COPY --chown=hostonly f /f\n", "f", "x\n");
    symlinkTar(chown.resolve("etc.tar"), "etc", canaryDir.resolve("etc").toString());
    assertThatThrownBy(() -> build(chown))
        .hasMessageContaining("Dockerfile:3:1")
        .hasMessageContaining("no user \"hostonly\"")
        .hasMessageNotContaining(canary);

    Path group = context(base + "COPY --chown=0:hostonly f /f\n", "f", "x\n");
    symlinkTar(group.resolve("etc.tar"), "etc", canaryDir.resolve("etc").toString());
    assertThatThrownBy(() -> build(group))
        .hasMessageContaining("no group \"hostonly\"")
        .hasMessageNotContaining(canary);

    Path user = context(base + "USER hostonly\nRUN id\n");
    symlinkTar(user.resolve("etc.tar"), "etc", canaryDir.resolve("etc").toString());
    assertThatThrownBy(() -> build(user))
        .hasMessageStartingWith("Dockerfile:4:1: USER hostonly: no user \"hostonly\"")
        .hasMessageNotContaining(canary);

    // a link inside the image is followed inside it
    Path inside =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN mkdir -p /usr/share/etc && echo 'svc:x:321:654::/:/bin/sh' >"
                + " /usr/share/etc/passwd && rm /etc/passwd"
                + " && ln -s ../../../../usr/share/etc/passwd /etc/passwd\n"
                + "COPY --chown=svc f /f\n",
            "f",
            "x\n");
    Path rootfs = unpack(build(inside));
    assertThat(Files.getAttribute(rootfs.resolve("f"), "unix:uid")).isEqualTo(321);
    assertThat(Files.getAttribute(rootfs.resolve("f"), "unix:gid")).isEqualTo(654);
  }

  @Test
  void runBindFromThroughALinkStaysRefused() throws Exception {
    String from = "FROM " + ImageBuilderIT.BASE + "\n";
    refusedWithoutALayer(
        context(
            stage() + from + "RUN --mount=type=bind,from=s,source=/e/shadow,target=/m cat /m\n"),
        "Dockerfile:4:1: RUN --mount ",
        "source resolves through a symlink in s (name the real path: /etc/shadow)");
    refusedWithoutALayer(
        context(
            from
                + "RUN --mount=type=bind,from="
                + EVIL
                + ",source=/hoste/shadow,target=/m cat /m\n"),
        "Dockerfile:2:1: RUN --mount ",
        "source is not in " + EVIL);
    Path real =
        context(
            stage()
                + from
                + "RUN --mount=type=bind,from=s,source=/etc/shadow,target=/m cp /m /got\n");
    assertThat(Files.readString(unpack(build(real)).resolve("got"))).isEqualTo("stage-shadow\n");
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
