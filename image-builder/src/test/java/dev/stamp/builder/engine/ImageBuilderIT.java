package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.TarEntry;
import dev.stamp.runtime.layer.TarWriter;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build engine end to end as root: real overlay mounts for RUN, a temp state root. */
@RequiresRoot
class ImageBuilderIT {

  static final String BASE = "stamp-test/base:1";

  @TempDir static Path shared;
  @TempDir Path tmp;

  static StampRoot root;

  @BeforeAll
  static void buildBase() throws Exception {
    root = new StampRoot(shared.resolve("root"));
    buildSampleBase(root, shared.resolve("base-ctx"), "");
  }

  @BeforeEach
  void busybox() {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
  }

  /** samples/base with busybox put into its context (as samples/base/prepare.sh does). */
  static BuildResult buildSampleBase(StampRoot r, Path ctx, String extraPasswd) throws Exception {
    Path samples = sampleBaseDir();
    Files.createDirectories(ctx);
    for (String name : List.of("Dockerfile", "passwd", "group")) {
      Files.copy(samples.resolve(name), ctx.resolve(name));
    }
    if (!extraPasswd.isEmpty()) {
      Files.writeString(
          ctx.resolve("passwd"), extraPasswd, java.nio.file.StandardOpenOption.APPEND);
    }
    Files.copy(BusyboxRootfs.BUSYBOX, ctx.resolve("busybox"));
    return ImageBuilder.open(r)
        .build(BuildRequest.of(ctx).withTags(List.of(ImageReference.parse(BASE))), Progress.NONE);
  }

  static Path sampleBaseDir() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("samples/base"))) {
      p = p.getParent();
    }
    return p.resolve("samples/base");
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

  private static BuildResult build(StampRoot r, BuildRequest req) throws BuildException {
    return ImageBuilder.open(r).build(req, Progress.NONE);
  }

  private static BuildResult build(Path ctx) throws BuildException {
    return build(root, BuildRequest.of(ctx));
  }

  private static List<Boolean> cached(BuildResult result) {
    List<Boolean> out = new ArrayList<>();
    for (StepReport s : result.steps()) {
      if (s.text().startsWith("RUN") || s.text().startsWith("COPY") || s.text().startsWith("ADD")) {
        out.add(s.cached());
      }
    }
    return out;
  }

  // --- the samples' base ---

  @Test
  void sampleBaseBuildsFromDebianBusyboxAndRuns() throws Exception {
    Image base = ImageStore.open(root).resolve(BASE);
    assertThat(base.layers()).hasSize(4);
    Path ctx = context("FROM " + BASE + "\nRUN test -L /bin/sh && id -un > /whoami && ls /tmp\n");
    BuildResult result = build(ctx);
    Path rootfs = unpacked(result);
    assertThat(Files.readString(rootfs.resolve("whoami")).strip()).isEqualTo("root");
    assertThat(Files.isSymbolicLink(rootfs.resolve("bin/ls"))).isTrue();
  }

  // --- multi-stage ---

  @Test
  void multiStageCopyFromBuildsOnlyWhatTheTargetNeeds() throws Exception {
    String df =
        "FROM "
            + BASE
            + " AS a\nRUN echo from-a > /a\n"
            + "FROM "
            + BASE
            + " AS b\nRUN echo from-b > /b\n"
            + "FROM "
            + BASE
            + " AS broken\nRUN exit 7\n"
            + "FROM "
            + BASE
            + " AS final\nCOPY --from=a /a /out/a\nCOPY --from=b /b /out/\n"
            + "RUN cat /out/a /out/b > /out/ab\n"
            + "FROM scratch AS slim\nCOPY --from=final /out/ab /ab\n"
            + "COPY --from="
            + BASE
            + " /etc/passwd /from-image/\n";
    Path ctx = context(df);
    BuildResult result = build(ctx);
    assertThat(result.steps()).extracting(StepReport::stage).doesNotContain("broken");
    Path rootfs = unpacked(result);
    assertThat(Files.readString(rootfs.resolve("ab"))).isEqualTo("from-a\nfrom-b\n");
    assertThat(Files.readString(rootfs.resolve("from-image/passwd"))).startsWith("root:x:0:0:");

    BuildResult onlyB = build(root, BuildRequest.of(ctx).withTarget("b"));
    assertThat(onlyB.steps()).extracting(StepReport::stage).containsOnly("b");
  }

  @Test
  void independentStagesRunInParallel() throws Exception {
    // Each stage waits (up to 20 s) for the other to have started: serial stages would fail.
    String wait =
        "RUN --mount=type=cache,id=sync,target=/sync touch /sync/%s && i=0 &&"
            + " while [ ! -e /sync/%s ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done &&"
            + " test -e /sync/%s && echo %s > /%s\n";
    String df =
        "FROM "
            + BASE
            + " AS a\n"
            + String.format(wait, "a", "b", "b", "a", "a")
            + "FROM "
            + BASE
            + " AS b\n"
            + String.format(wait, "b", "a", "a", "b", "b")
            + "FROM "
            + BASE
            + "\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n";
    StampRoot fresh = new StampRoot(tmp.resolve("par-root"));
    buildSampleBase(fresh, tmp.resolve("par-base"), "");
    BuildResult result = build(fresh, BuildRequest.of(context(df)));
    assertThat(result.steps()).extracting(StepReport::stage).contains("a", "b");
  }

  // --- cache ---

  @Test
  void cacheHitsOnUnchangedInputsAndMissesOnEachChangedOne() throws Exception {
    String df =
        "FROM "
            + BASE
            + "\nARG FLAVOUR=plain\nENV MODE=one\nCOPY app.txt /app/\n"
            + "RUN cat /app/app.txt > /app/copy && echo $FLAVOUR $MODE >> /app/copy\n"
            + "RUN <<EOF\necho heredoc-one > /app/heredoc\nEOF\n";
    Path ctx = context(df, "app.txt", "v1\n");
    BuildRequest req = BuildRequest.of(ctx);
    BuildResult first = build(root, req);
    assertThat(cached(first)).containsExactly(false, false, false);

    BuildResult again = build(root, req);
    assertThat(cached(again)).containsExactly(true, true, true);
    assertThat(again.manifestDigest()).isEqualTo(first.manifestDigest());

    try (Stream<Path> all = Files.walk(ctx)) { // touch every file
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() + 5000));
      }
    }
    assertThat(cached(build(root, req))).containsExactly(true, true, true);

    BuildResult noCache = build(root, req.withNoCache(true));
    assertThat(cached(noCache)).containsExactly(false, false, false);
    assertThat(noCache.manifestDigest()).isEqualTo(first.manifestDigest());

    assertThat(cached(build(root, req.withBuildArgs(Map.of("FLAVOUR", "spicy")))))
        .containsExactly(true, false, false);

    Files.writeString(ctx.resolve("Dockerfile"), df.replace("MODE=one", "MODE=two"));
    assertThat(cached(build(root, req))).containsExactly(false, false, false);

    Files.writeString(ctx.resolve("Dockerfile"), df.replace("heredoc-one", "heredoc-two"));
    assertThat(cached(build(root, req))).containsExactly(true, true, false);

    Files.writeString(ctx.resolve("Dockerfile"), df);
    Files.writeString(ctx.resolve("app.txt"), "v2\n");
    BuildResult changed = build(root, req);
    assertThat(cached(changed)).containsExactly(false, false, false);
    assertThat(changed.manifestDigest()).isNotEqualTo(first.manifestDigest());
  }

  @Test
  void changedBaseDigestMisses() throws Exception {
    StampRoot fresh = new StampRoot(tmp.resolve("base-root"));
    buildSampleBase(fresh, tmp.resolve("b1"), "");
    Path ctx = context("FROM " + BASE + "\nRUN echo hi > /hi\n");
    build(fresh, BuildRequest.of(ctx));
    assertThat(cached(build(fresh, BuildRequest.of(ctx)))).containsExactly(true);
    buildSampleBase(fresh, tmp.resolve("b2"), "extra:x:2000:2000::/:/bin/sh\n");
    assertThat(cached(build(fresh, BuildRequest.of(ctx)))).containsExactly(false);
  }

  @Test
  void freshCloneWithNewMtimesHitsAndFreshRootsGiveOneDigest() throws Exception {
    String df = "FROM " + BASE + "\nCOPY . /src/\nRUN ls -lR /src > /listing && rm /src/b.txt\n";
    Path ctx = context(df, "a.txt", "alpha\n", "dir/b.txt", "beta\n", "b.txt", "gamma\n");
    BuildResult first = build(root, BuildRequest.of(ctx));

    Path clone = tmp.resolve("clone");
    copyTree(ctx, clone, FileTime.fromMillis(1_700_000_000_000L));
    BuildResult fromClone = build(root, BuildRequest.of(clone));
    assertThat(cached(fromClone)).containsExactly(true, true);
    assertThat(fromClone.manifestDigest()).isEqualTo(first.manifestDigest());

    StampRoot r1 = new StampRoot(tmp.resolve("repro-1"));
    StampRoot r2 = new StampRoot(tmp.resolve("repro-2"));
    buildSampleBase(r1, tmp.resolve("rb1"), "");
    buildSampleBase(r2, tmp.resolve("rb2"), "");
    BuildResult one = build(r1, BuildRequest.of(ctx));
    BuildResult two = build(r2, BuildRequest.of(clone));
    assertThat(cached(two)).containsExactly(false, false);
    assertThat(two.manifestDigest()).isEqualTo(one.manifestDigest());
    assertThat(one.manifestDigest()).isEqualTo(first.manifestDigest());
  }

  private static void copyTree(Path from, Path to, FileTime time) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
          Files.setLastModifiedTime(target, time);
        }
      }
    }
  }

  // --- COPY flags, WORKDIR, USER, config ---

  @Test
  void copyFlagsWorkdirUserAndConfig() throws Exception {
    String df =
        "FROM "
            + BASE
            + "\nWORKDIR /srv/app\n"
            + "COPY --chown=app:app --chmod=0640 conf.txt ./\n"
            + "COPY --chown=1234 src/ /opt/src/\n"
            + "COPY <<EOF /etc/motd\nhello from a heredoc\nEOF\n"
            + "USER app\nRUN id -u > /tmp/uid && pwd > /tmp/pwd\nUSER root\n"
            + "ENTRYPOINT [\"/bin/sh\"]\nEXPOSE 8080\nLABEL team=core\n";
    Path ctx = context(df, "conf.txt", "c\n", "src/a/b.txt", "b\n");
    BuildResult result = build(root, BuildRequest.of(ctx));
    Path rootfs = unpacked(result);
    assertThat(Files.getAttribute(rootfs.resolve("srv/app/conf.txt"), "unix:uid")).isEqualTo(1000);
    assertThat(Files.getAttribute(rootfs.resolve("srv/app/conf.txt"), "unix:gid")).isEqualTo(1000);
    assertThat(
            (Integer) Files.getAttribute(rootfs.resolve("srv/app/conf.txt"), "unix:mode") & 07777)
        .isEqualTo(0640);
    assertThat(Files.getAttribute(rootfs.resolve("opt/src/a/b.txt"), "unix:uid")).isEqualTo(1234);
    assertThat(Files.readString(rootfs.resolve("etc/motd"))).isEqualTo("hello from a heredoc\n");
    assertThat(Files.readString(rootfs.resolve("tmp/uid"))).isEqualTo("1000\n");
    assertThat(Files.readString(rootfs.resolve("tmp/pwd"))).isEqualTo("/srv/app\n");
    var config = result.image().config();
    assertThat(config.runConfig().workingDir()).isEqualTo("/srv/app");
    assertThat(config.runConfig().entrypoint()).containsExactly("/bin/sh");
    assertThat(config.runConfig().cmd()).isNull();
    assertThat(config.runConfig().exposedPorts()).containsExactly("8080/tcp");
    assertThat(config.runConfig().labels()).containsEntry("team", "core");
    assertThat(config.created()).isEqualTo("1970-01-01T00:00:00Z");
    BuildResult zstd =
        build(root, BuildRequest.of(ctx).withCompression(dev.stamp.runtime.layer.Compression.ZSTD));
    assertThat(zstd.steps())
        .filteredOn(st -> st.text().startsWith("RUN"))
        .noneMatch(StepReport::cached);
    assertThat(zstd.image().layers().get(zstd.image().layers().size() - 1).mediaType())
        .isEqualTo(dev.stamp.runtime.image.MediaType.OCI_LAYER_TAR_ZSTD);
    assertThat(zstd.image().diffIds()).isEqualTo(result.image().diffIds());
    assertThat(config.history())
        .extracting(h -> h.createdBy())
        .contains("WORKDIR /srv/app", "EXPOSE 8080", "LABEL team=core");
    assertThat(config.history().stream().filter(h -> h.isEmptyLayer()).count())
        .isEqualTo(config.history().size() - result.image().layers().size());
  }

  // --- deletions ---

  @Test
  void runRmOfABaseFileStaysDeleted() throws Exception {
    Path ctx =
        context(
            "FROM "
                + BASE
                + "\nRUN rm /etc/group && rm -r /tmp && mkdir /tmp\n"
                + "RUN test ! -e /etc/group && echo gone > /result\n"
                // every config list set: this branch's StoreImages predates main's null handling
                + "ENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"true\"]\nEXPOSE 80\n");
    BuildResult result =
        build(
            root, BuildRequest.of(ctx).withTags(List.of(ImageReference.parse("stamp-test/rm:1"))));
    Path rootfs = unpacked(result);
    assertThat(rootfs.resolve("etc/group")).doesNotExist();
    assertThat(rootfs.resolve("etc/passwd")).exists();
    assertThat(Files.readString(rootfs.resolve("result"))).isEqualTo("gone\n");
    assertThat(
            runInStampContainer(
                result, "test ! -e /etc/group && test -e /etc/passwd && cat /result"))
        .isEqualTo("gone\n");
  }

  /** Runs {@code script} in a Stamp container of the built image; returns its stdout (exit 0). */
  private static String runInStampContainer(BuildResult result, String script) throws Exception {
    dev.stamp.runtime.container.ContainerRuntime runtime =
        new dev.stamp.runtime.container.ContainerRuntime(
            root,
            dev.stamp.runtime.linux.Cgroups.detect(),
            dev.stamp.runtime.container.StoreImages.local(root),
            new dev.stamp.runtime.container.LocalNetworks());
    String id =
        runtime.create(
            dev.stamp.runtime.container.ContainerSpec.builder()
                .image(result.image().reference().toString())
                .command(List.of(script))
                .build());
    try {
      int exit;
      try (dev.stamp.runtime.container.RunningContainer c = runtime.start(id, false)) {
        exit = c.awaitExit();
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      runtime.logs(id).copyTo(out, java.io.OutputStream.nullOutputStream(), false, false);
      assertThat(exit).as(out.toString()).isZero();
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      runtime.remove(id, true);
    }
  }

  // --- refusals and failures ---

  @Test
  void copyOfAPathOutsideTheContextIsRefusedAtItsLine() throws Exception {
    Path ctx = context("FROM " + BASE + "\nCOPY ../x /x\n");
    assertThatThrownBy(() -> build(ctx))
        .isInstanceOf(BuildException.class)
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("leaves the build context")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }

  @Test
  void contextSymlinkPointingOutsideIsRefusedAndOneInsideIsCopiedAsALink() throws Exception {
    Path ctx = context("FROM " + BASE + "\nCOPY . /src/\n", "real.txt", "x\n");
    Files.createSymbolicLink(ctx.resolve("inside"), Path.of("real.txt"));
    BuildResult ok = build(ctx);
    Path rootfs = unpacked(ok);
    assertThat(rootfs.resolve("src/inside")).isSymbolicLink();
    assertThat(Files.readSymbolicLink(rootfs.resolve("src/inside"))).isEqualTo(Path.of("real.txt"));
    assertThat(Files.readString(rootfs.resolve("src/real.txt"))).isEqualTo("x\n");
    Files.createSymbolicLink(ctx.resolve("escape"), Path.of("../../etc/shadow"));
    assertThatThrownBy(() -> build(ctx))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2:1: COPY .: symlink \"escape\"")
        .hasMessageContaining("points outside the build context");
  }

  @Test
  void addOfATarWithDotDotEntriesIsRefused() throws Exception {
    Path ctx = context("FROM " + BASE + "\nADD evil.tar /x/\n");
    try (OutputStream out = Files.newOutputStream(ctx.resolve("evil.tar"))) {
      TarWriter tar = new TarWriter(out);
      byte[] data = "pwned\n".getBytes(StandardCharsets.UTF_8);
      tar.write(
          TarEntry.file("../../evil", 0644, 0, 0, data.length, 0), new ByteArrayInputStream(data));
      tar.finish();
    }
    assertThatThrownBy(() -> build(ctx))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2:1: ADD evil.tar: ")
        .hasMessageContaining("../../evil")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }

  @Test
  void addOfAGoodTarExtracts() throws Exception {
    Path ctx =
        context(
            "FROM "
                + BASE
                + "\nADD good.tar /x/\nADD good.tar /\nRUN cat /x/dir/f /dir/f > /out\n");
    try (OutputStream out = Files.newOutputStream(ctx.resolve("good.tar"))) {
      TarWriter tar = new TarWriter(out);
      byte[] data = "inside\n".getBytes(StandardCharsets.UTF_8);
      tar.write(TarEntry.directory("dir/", 0755, 0, 0, 0), null);
      tar.write(TarEntry.file("dir/f", 0644, 0, 0, data.length, 0), new ByteArrayInputStream(data));
      tar.finish();
    }
    assertThat(cached(build(ctx))).containsExactly(false, false, false);
  }

  @Test
  void failingRunReportsExitCodeAndOutputTailAndLeavesNothing() throws Exception {
    ImageStore store = ImageStore.open(root);
    List<Image> before = store.list();
    Path ctx =
        context(
            "FROM "
                + BASE
                + "\nRUN echo ok > /ok\n"
                + "RUN echo first-line; echo last-words >&2; exit 3\n");
    BuildRequest req =
        BuildRequest.of(ctx).withTags(List.of(ImageReference.parse("stamp-test/failing:1")));
    assertThatThrownBy(() -> build(root, req))
        .isInstanceOf(BuildException.class)
        .hasMessageContaining("Dockerfile:3:1")
        .hasMessageContaining("exit code 3")
        .hasMessageContaining("last-words")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.FAILED);
    assertThat(store.list()).isEqualTo(before);
    try (Stream<Path> left = Files.list(root.path().resolve("build-tmp"))) {
      assertThat(left).isEmpty();
    }
    assertThat(mounts()).doesNotContain(root.path().toString());
  }

  @Test
  void aFailingStageStopsTheBuildAndWaitsForItsSiblingBeforeCleaningUp() throws Exception {
    String df =
        "FROM "
            + BASE
            + " AS slow\nRUN sleep 2 && echo slow > /slow\nRUN echo never > /never\n"
            + "FROM "
            + BASE
            + " AS bad\nRUN echo bad-out && exit 5\n"
            + "FROM "
            + BASE
            + "\nCOPY --from=slow /slow /slow\nCOPY --from=bad /x /x\n";
    StampRoot fresh = new StampRoot(tmp.resolve("fail-root"));
    buildSampleBase(fresh, tmp.resolve("fail-base"), "");
    Path ctx = context(df);
    assertThatThrownBy(() -> build(fresh, BuildRequest.of(ctx)))
        .hasMessageContaining("exit code 5")
        .hasMessageContaining("bad-out");
    try (Stream<Path> left = Files.list(fresh.path().resolve("build-tmp"))) {
      assertThat(left).isEmpty();
    }
    assertThat(mounts()).doesNotContain(fresh.path().toString());
  }

  @Test
  void badInputsAreClearErrors() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    Path missingBase =
        context("FROM 127.0.0.1:" + closedPort + "/stamp-test/nothing:1\nRUN true\n");
    assertThatThrownBy(() -> build(missingBase))
        .hasMessageStartingWith("Dockerfile:1:1: FROM 127.0.0.1:")
        .hasMessageContaining("not in the local store, and pulling it failed")
        .isNotInstanceOf(dev.stamp.builder.dockerfile.DockerfileSyntaxException.class)
        .satisfies(
            e -> {
              assertThat(((StampException) e).kind()).isEqualTo(StampException.Kind.FAILED);
              assertThat(((StampException) e).retryable())
                  .as("a registry that cannot be reached may come back")
                  .isTrue();
            });
    Path missingFile = context("FROM " + BASE + "\nCOPY nope.txt /x\n");
    assertThatThrownBy(() -> build(missingFile))
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("nope.txt")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);
    Path unknownStage = context("FROM " + BASE + "\nRUN true\n");
    assertThatThrownBy(() -> build(root, BuildRequest.of(unknownStage).withTarget("nope")))
        .isInstanceOf(BuildException.class)
        .hasMessage("build target \"nope\": no stage with that name in Dockerfile")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);
  }

  @Test
  void ociArchiveAndDirectoryAreReadBySkopeo() throws Exception {
    Path ctx = context("FROM " + BASE + "\nLABEL a=b\nCMD [\"sh\"]\n");
    Path dir = tmp.resolve("layout");
    Path archive = tmp.resolve("image.tar");
    BuildResult result =
        build(
            root,
            BuildRequest.of(ctx)
                .withTags(List.of(ImageReference.parse("stamp-test/out:7")))
                .withOutputs(
                    List.of(
                        new OutputSpec(OutputSpec.Type.OCI, dir),
                        new OutputSpec(OutputSpec.Type.OCI_ARCHIVE, archive)))
                .withLabels(Map.of("org.opencontainers.image.revision", "abc123")));
    String fromDir = run("skopeo", "inspect", "oci:" + dir + ":7");
    assertThat(umociUnpack(dir, "7").resolve("bin/busybox")).isRegularFile();
    String fromArchive = run("skopeo", "inspect", "oci-archive:" + archive + ":7");
    assertThat(fromDir).contains(result.manifestDigest().toString()).contains("abc123");
    assertThat(fromArchive).contains(result.manifestDigest().toString());
  }

  // --- helpers ---

  private Path umociUnpack(Path oci, String tag) throws Exception {
    Path bundle = tmp.resolve("bundle-" + System.nanoTime());
    run("umoci", "unpack", "--image", oci + ":" + tag, bundle.toString());
    return bundle.resolve("rootfs");
  }

  private Path unpacked(BuildResult result) throws Exception {
    Path oci = tmp.resolve("oci-" + System.nanoTime());
    new OciLayoutWriter(ImageStore.open(root))
        .write(
            result.image(),
            List.of(ImageReference.parse("stamp-test/unpack:t")),
            new OutputSpec(OutputSpec.Type.OCI, oci));
    return umociUnpack(oci, "t");
  }

  /** The built image's root filesystem, unpacked by umoci into {@code rootfs}'s parent bundle. */
  static void unpackTo(StampRoot r, BuildResult result, Path rootfs) throws Exception {
    Path oci = rootfs.resolveSibling(rootfs.getFileName() + "-oci");
    new OciLayoutWriter(ImageStore.open(r))
        .write(
            result.image(),
            List.of(ImageReference.parse("stamp-test/unpack:t")),
            new OutputSpec(OutputSpec.Type.OCI, oci));
    Path bundle = rootfs.resolveSibling(rootfs.getFileName() + "-bundle");
    run("umoci", "unpack", "--image", oci + ":t", bundle.toString());
    Files.move(bundle.resolve("rootfs"), rootfs);
  }

  private static String mounts() throws IOException {
    return Files.readString(Path.of("/proc/self/mountinfo"));
  }

  private static String run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
    return out;
  }

  @SuppressWarnings("unused")
  private static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }
}
