package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.linux.Capabilities;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RUN steps as Stamp containers: isolation, the layer holds exactly the step's changes, mounts. */
@RequiresRoot
class RuntimeRunExecutorIT {

  @TempDir static Path shared;
  @TempDir Path tmp;

  static StampRoot root;

  @BeforeAll
  static void buildBase() throws Exception {
    if (!BusyboxRootfs.available()) {
      return;
    }
    root = new StampRoot(shared.resolve("root"));
    ImageBuilderIT.buildSampleBase(root, shared.resolve("base-ctx"), "");
  }

  @BeforeEach
  void busybox() {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
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

  /** The relative paths in the image's top layer (as unpacked in the layer store). */
  private static List<String> topLayer(BuildResult result) throws Exception {
    List<Digest> diffIds = result.image().diffIds();
    Path dir = LayerStore.open(root, ImageStore.open(root)).path(diffIds.get(diffIds.size() - 1));
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !p.equals(dir)).forEach(p -> out.add(dir.relativize(p).toString()));
    }
    Collections.sort(out);
    return out;
  }

  private static String file(BuildResult result, String path) throws Exception {
    List<Digest> diffIds = result.image().diffIds();
    LayerStore layers = LayerStore.open(root, ImageStore.open(root));
    for (int i = diffIds.size() - 1; i >= 0; i--) {
      Path p = layers.path(diffIds.get(i)).resolve(path);
      if (Files.exists(p)) {
        return Files.readString(p);
      }
    }
    throw new AssertionError(path + " is in no layer");
  }

  @Test
  void theLayerHoldsExactlyTheStepsChangesNoMountPoints() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN touch /new && rm /etc/group && mkdir -p /made/here\n");
    BuildResult result = ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(topLayer(result))
        .containsExactlyInAnyOrder("new", "etc", "etc/group", "made", "made/here");
    Path group =
        LayerStore.open(root, ImageStore.open(root))
            .path(result.image().diffIds().get(result.image().diffIds().size() - 1))
            .resolve("etc/group");
    assertThat(
            (Integer)
                    Files.getAttribute(group, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS)
                & 0170000)
        .as("a deletion is an overlay whiteout")
        .isEqualTo(0020000);
    try (Stream<Path> left = Files.list(root.path().resolve("containers"))) {
      assertThat(left.filter(p -> !p.getFileName().toString().startsWith(".")))
          .as("no container is left behind")
          .isEmpty();
    }
  }

  @Test
  void runsIsolatedAsAContainer() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN echo $$ > /pid && grep -E '^(NoNewPrivs|CapBnd)' /proc/self/status > /status"
                + " && ls /sys/class/net > /nets && hostname > /host\n"
                + "RUN --network=host ls /sys/class/net > /hostnets\n");
    BuildResult result =
        ImageBuilder.open(root)
            .build(
                BuildRequest.of(ctx).withAllow(java.util.Set.of(Entitlement.NETWORK_HOST)),
                Progress.NONE);
    assertThat(file(result, "pid")).isEqualTo("1\n");
    String status = file(result, "status");
    assertThat(status).contains("NoNewPrivs:\t1");
    assertThat(status)
        .contains(String.format("CapBnd:\t%016x", Capabilities.mask(Capabilities.DOCKER_DEFAULT)));
    assertThat(file(result, "nets")).isEqualTo("lo\n");
    assertThat(file(result, "hostnets").lines().count()).isGreaterThan(1);
  }

  @Test
  void runStepsAreUnderTheDefaultSeccompProfile() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN grep ^Seccomp: /proc/self/status > /seccomp"
                + " && (unshare -U -r -m mount -t tmpfs none /tmp 2> /userns || echo refused >>"
                + " /userns)\n");
    BuildResult result = ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(file(result, "seccomp")).isEqualTo("Seccomp:\t2\n");
    assertThat(file(result, "userns")).contains("Operation not permitted").endsWith("refused\n");
  }

  @Test
  void envWorkdirUserAndOutputLines() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nENV GREETING=hello\nWORKDIR /work\nUSER app\n"
                + "RUN echo \"$GREETING from $(pwd) as $(id -u):$(id -g)\" && echo to-stderr >&2"
                + " && touch /tmp/mine\n");
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Progress progress =
        new Progress() {
          @Override
          public void output(int number, String line) {
            lines.add(line);
          }
        };
    BuildResult result = ImageBuilder.open(root).build(BuildRequest.of(ctx), progress);
    assertThat(lines).contains("hello from /work as 1000:1000", "to-stderr");
    Path mine =
        LayerStore.open(root, ImageStore.open(root))
            .path(result.image().diffIds().get(result.image().diffIds().size() - 1))
            .resolve("tmp/mine");
    assertThat(Files.getAttribute(mine, "unix:uid")).isEqualTo(1000);
  }

  @Test
  void runMountsBindCacheAndTmpfsAreNotInTheLayer() throws Exception {
    String df =
        "FROM "
            + ImageBuilderIT.BASE
            + "\nRUN --mount=type=bind,source=data,target=/data"
            + " --mount=type=tmpfs,target=/scratch"
            + " --mount=type=cache,id=c1,target=/var/cache/x"
            + " cat /data/f > /copy && ! touch /data/g 2>/dev/null"
            + " && echo s > /scratch/s && echo run >> /var/cache/x/count"
            + " && wc -l < /var/cache/x/count > /count\n";
    Path ctx = context(df, "data/f", "from-context\n");
    BuildRequest req = BuildRequest.of(ctx);
    BuildResult first = ImageBuilder.open(root).build(req, Progress.NONE);
    assertThat(topLayer(first)).containsExactlyInAnyOrder("copy", "count");
    assertThat(file(first, "copy")).isEqualTo("from-context\n");
    assertThat(file(first, "count").strip()).isEqualTo("1");
    assertThat(ctx.resolve("data/g")).doesNotExist();
    BuildResult second = ImageBuilder.open(root).build(req.withNoCache(true), Progress.NONE);
    assertThat(file(second, "count").strip()).as("the cache mount persists").isEqualTo("2");

    java.util.function.Supplier<Boolean> runCached =
        () -> {
          try {
            return ImageBuilder.open(root).build(req, Progress.NONE).steps().stream()
                .filter(s -> s.text().startsWith("RUN"))
                .allMatch(StepReport::cached);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        };
    Files.setLastModifiedTime(
        ctx.resolve("data/f"), java.nio.file.attribute.FileTime.fromMillis(1_000_000_000L));
    assertThat(runCached.get()).as("an mtime is not content").isTrue();
    Files.writeString(ctx.resolve("data/f"), "changed\n");
    assertThat(runCached.get()).as("a changed file under a bind source misses").isFalse();
    Files.writeString(ctx.resolve("data/new"), "n\n");
    assertThat(runCached.get()).as("a new file under a bind source misses").isFalse();
    assertThat(runCached.get()).isTrue();
  }

  @Test
  void aCommandThatIsNotInTheImageFailsTheStepWithItsReasonAndLeavesNoContainer() throws Exception {
    Path ctx = context("FROM " + ImageBuilderIT.BASE + "\nRUN [\"/no/such/tool\", \"x\"]\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE))
        .isInstanceOf(dev.stamp.builder.BuildException.class)
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("exit code 127")
        .hasMessageContaining("/no/such/tool");
    try (Stream<Path> left = Files.list(root.path().resolve("containers"))) {
      assertThat(left.filter(p -> !p.getFileName().toString().startsWith("."))).isEmpty();
    }
  }

  @Test
  void bindMountFromAStageAndFromAnImage() throws Exception {
    String df =
        "FROM "
            + ImageBuilderIT.BASE
            + " AS tools\nRUN mkdir -p /opt/t && echo tool-v1 > /opt/t/version\n"
            + "FROM "
            + ImageBuilderIT.BASE
            + "\nRUN --mount=type=bind,from=tools,source=/opt/t,target=/t"
            + " --mount=type=bind,from="
            + ImageBuilderIT.BASE
            + ",source=etc,target=/base-etc"
            + " cat /t/version > /got && ! touch /t/x 2>/dev/null && head -1 /base-etc/passwd > /p\n";
    Path ctx = context(df);
    BuildResult first = ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(file(first, "got")).isEqualTo("tool-v1\n");
    assertThat(file(first, "p")).startsWith("root:x:0:0");
    assertThat(topLayer(first)).containsExactlyInAnyOrder("got", "p");

    Files.writeString(ctx.resolve("Dockerfile"), df.replace("tool-v1", "tool-v2"));
    BuildResult second = ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(file(second, "got"))
        .as("a changed from-stage misses the cache")
        .isEqualTo("tool-v2\n");
    assertThat(mountinfo()).doesNotContain(root.path().toString());
  }

  private static String mountinfo() throws IOException {
    return Files.readString(Path.of("/proc/self/mountinfo"));
  }

  @Test
  void aContextBindHidesIgnoredFilesAndDiscardsWrites() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN --mount=type=bind,source=data,target=/data,rw"
                + " test ! -e /data/hidden && echo w > /data/written && ls /data > /ls\n",
            "data/f",
            "x\n",
            "data/hidden",
            "h\n",
            ".dockerignore",
            "data/hidden\n");
    BuildResult result = ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(file(result, "ls")).isEqualTo("f\nwritten\n");
    assertThat(ctx.resolve("data/written")).as("writes are discarded").doesNotExist();
    assertThat(topLayer(result)).containsExactly("ls");
  }

  @Test
  void aContextBindIsReadWriteOnlyWhenItsParsedRwOptionSaysSo() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN --mount=type=bind,source=data,target=/rw"
                + " --mount=type=bind,source=data,target=/off,rw=false"
                + " --mount=type=bind,source=data,target=/on,rw=true"
                + " cat /rw/f > /got && ! touch /rw/x 2>/dev/null && ! touch /off/x 2>/dev/null"
                + " && touch /on/x && echo ok > /checked\n",
            "data/f",
            "x\n");
    BuildResult result = ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE);
    assertThat(file(result, "checked")).isEqualTo("ok\n");
    assertThat(ctx.resolve("data/x")).as("writes are discarded").doesNotExist();
  }

  @Test
  void aFromBindWhoseTargetContainsRwIsReadOnlyAndAccepted() throws Exception {
    String df =
        "FROM "
            + ImageBuilderIT.BASE
            + " AS tools\nRUN mkdir -p /opt/t && echo v > /opt/t/version\n"
            + "FROM "
            + ImageBuilderIT.BASE
            + "\nRUN --mount=type=bind,from=tools,source=/opt/t,target=/x/rw"
            + " cat /x/rw/version > /got && ! touch /x/rw/y 2>/dev/null\n";
    BuildResult result = ImageBuilder.open(root).build(BuildRequest.of(context(df)), Progress.NONE);
    assertThat(file(result, "got")).isEqualTo("v\n");
    Path refused =
        context(df.replace("target=/x/rw", "target=/x/rw,rw").replace("cat /x", "cat  /x"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ImageBuilder.open(root).build(BuildRequest.of(refused), Progress.NONE))
        .hasMessageContaining("Dockerfile:4:1")
        .hasMessageContaining("rw binds from a stage or image are not supported");
  }

  @Test
  void runNetworkHostIsRefusedBeforeAnythingRunsUnlessTheRequestAllowsIt() throws Exception {
    Path ctx =
        context(
            "FROM "
                + ImageBuilderIT.BASE
                + "\nRUN echo ran > /ran-"
                + java.util.UUID.randomUUID()
                + "\nRUN  --network=host ls /sys/class/net > /hostnets\n");
    java.util.List<Integer> started = Collections.synchronizedList(new ArrayList<>());
    Progress progress =
        new Progress() {
          @Override
          public void started(int number, String title) {
            started.add(number);
          }
        };
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ImageBuilder.open(root).build(BuildRequest.of(ctx), progress))
        .isInstanceOf(dev.stamp.builder.dockerfile.DockerfileSyntaxException.class)
        .hasMessageStartingWith("Dockerfile:3:1: RUN --network=host: ")
        .hasMessageContaining("network.host entitlement")
        .hasMessageContaining("stamp build --allow network.host")
        .extracting(e -> ((dev.stamp.runtime.StampException) e).kind())
        .isEqualTo(dev.stamp.runtime.StampException.Kind.BAD_INPUT);
    assertThat(started).as("no step ran").isEmpty();

    BuildResult allowed =
        ImageBuilder.open(root)
            .build(
                BuildRequest.of(ctx).withAllow(java.util.Set.of(Entitlement.NETWORK_HOST)),
                Progress.NONE);
    assertThat(file(allowed, "hostnets").lines().count()).isGreaterThan(1);
  }
}
