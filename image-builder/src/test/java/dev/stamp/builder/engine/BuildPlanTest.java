package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.builder.dockerfile.AddInstruction;
import dev.stamp.builder.dockerfile.CacheText;
import dev.stamp.builder.dockerfile.CopyArgs;
import dev.stamp.builder.dockerfile.CopyInstruction;
import dev.stamp.builder.dockerfile.Heredoc;
import dev.stamp.builder.dockerfile.RunInstruction;
import dev.stamp.builder.dockerfile.RunMount;
import dev.stamp.builder.dockerfile.ShellOrExec;
import dev.stamp.builder.dockerfile.SourceLocation;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageBuilder#plan}: cache keys without building, from explicit cache text. */
class BuildPlanTest {

  static final String DOCKERFILE =
      "FROM scratch AS tools\n"
          + "COPY tool.sh /bin/tool\n"
          + "FROM scratch\n"
          + "ARG V=1\n"
          + "ENV A=b\n"
          + "WORKDIR /app\n"
          + "COPY src/ ./src/\n"
          + "COPY --from=tools /bin/tool /usr/bin/tool\n"
          + "USER 1000\n"
          + "RUN --mount=type=bind,source=src,target=/s --mount=type=cache,target=/c exit 1\n"
          + "CMD [\"tool\"]\n";

  @TempDir Path tmp;

  private ImageBuilder builder(Path root) throws Exception {
    StampRoot r = new StampRoot(root);
    ImageStore store = ImageStore.open(r);
    RunExecutor never =
        req -> {
          throw new AssertionError("plan ran " + req.argv());
        };
    return new ImageBuilder(
        r, store, LayerStore.open(r, store), never, BaseImageResolver.localStore(store));
  }

  private Path context(String name) throws Exception {
    Path ctx = tmp.resolve(name);
    Files.createDirectories(ctx.resolve("src/lib"));
    Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(ctx.resolve("tool.sh"), "#!/bin/sh\necho tool\n");
    Files.writeString(ctx.resolve("src/main.c"), "int main() { return 0; }\n");
    Files.writeString(ctx.resolve("src/lib/util.c"), "int util;\n");
    try (Stream<Path> walk = Files.walk(ctx)) { // modes are key input: not the umask's
      for (Path p : (Iterable<Path>) walk::iterator) {
        Files.setPosixFilePermissions(
            p,
            java.nio.file.attribute.PosixFilePermissions.fromString(
                Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return ctx;
  }

  private static List<String> files(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
    }
  }

  @Test
  void aPlanRunsNothingWritesNoLayerAndKeysEveryStep() throws Exception {
    Path root = tmp.resolve("root");
    BuildKeys keys = builder(root).plan(BuildRequest.of(context("ctx")));
    assertThat(keys.cacheKey()).matches("[0-9a-f]{64}");
    assertThat(keys.steps())
        .extracting(BuildKeys.Step::text)
        .containsExactly(
            "COPY tool.sh /bin/tool",
            "ARG V",
            "ENV A=b",
            "WORKDIR /app",
            "COPY src/ ./src/",
            "COPY --from=tools /bin/tool /usr/bin/tool",
            "USER 1000",
            "RUN exit 1",
            "CMD [\"tool\"]");
    assertThat(keys.steps().get(keys.steps().size() - 1).cacheKey()).isEqualTo(keys.cacheKey());
    assertThat(keys.steps()).extracting(BuildKeys.Step::cacheKey).doesNotHaveDuplicates();
    assertThat(files(root.resolve("layers"))).isEmpty();
    assertThat(files(root.resolve("images/blobs"))).isEmpty();
    try (Stream<Path> records = Files.list(root.resolve("build-cache"))) {
      assertThat(records.filter(p -> p.toString().endsWith(".json"))).isEmpty();
    }
    assertThat(files(root.resolve("build-tmp"))).isEmpty();
  }

  @Test
  void anUnchangedContextPlansTheSameKeyInFreshRootsAndCopies() throws Exception {
    Path first = context("a");
    String key = builder(tmp.resolve("root-a")).plan(BuildRequest.of(first)).cacheKey();
    Path clone = context("b");
    try (Stream<Path> walk = Files.walk(clone)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Files.setLastModifiedTime(p, FileTime.fromMillis(1_234_567_000L));
      }
    }
    assertThat(builder(tmp.resolve("root-b")).plan(BuildRequest.of(clone)).cacheKey())
        .as("a fresh clone (other path, other mtimes) in a fresh root")
        .isEqualTo(key);
    assertThat(builder(tmp.resolve("root-a")).plan(BuildRequest.of(first)).cacheKey())
        .as("again, with remembered digests")
        .isEqualTo(key);
  }

  @Test
  void aChangedFileChangesTheKeysFromItsStepOn() throws Exception {
    Path ctx = context("ctx");
    ImageBuilder b = builder(tmp.resolve("root"));
    BuildKeys before = b.plan(BuildRequest.of(ctx));
    Files.writeString(ctx.resolve("src/lib/util.c"), "int util = 1;\n");
    BuildKeys after = b.plan(BuildRequest.of(ctx));
    assertThat(after.cacheKey()).isNotEqualTo(before.cacheKey());
    for (int i = 0; i < before.steps().size(); i++) {
      boolean changed = !before.steps().get(i).cacheKey().equals(after.steps().get(i).cacheKey());
      assertThat(changed).as(before.steps().get(i).text()).isEqualTo(i >= 4);
    }
    Files.writeString(ctx.resolve("tool.sh"), "#!/bin/sh\necho tool 2\n");
    assertThat(b.plan(BuildRequest.of(ctx)).steps().get(0).cacheKey())
        .as("the tools stage's COPY")
        .isNotEqualTo(before.steps().get(0).cacheKey());
    assertThat(b.plan(BuildRequest.of(ctx).withBuildArgs(java.util.Map.of("V", "2"))).cacheKey())
        .as("a build arg a RUN sees")
        .isNotEqualTo(b.plan(BuildRequest.of(ctx)).cacheKey());
  }

  /**
   * The key of this Dockerfile and context, pinned: it changes only when the cache text changes on
   * purpose (never because a Java name, a record's toString or the code's structure changed).
   */
  @Test
  void theKeyIsPinned() throws Exception {
    BuildKeys keys = builder(tmp.resolve("root")).plan(BuildRequest.of(context("ctx")));
    assertThat(keys.cacheKey()).isEqualTo(PINNED);
  }

  /** As {@link #theKeyIsPinned}, for symlinks, modes, an ADDed archive, a chmod and heredocs. */
  @Test
  void theKeyOfLinksArchivesAndHeredocsIsPinned() throws Exception {
    Path ctx = tmp.resolve("links");
    Files.createDirectories(ctx.resolve("d/sub"));
    Files.writeString(ctx.resolve("d/f"), "f\n");
    Files.setPosixFilePermissions(
        ctx.resolve("d/f"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(ctx.resolve("d/link"), Path.of("f"));
    try (java.io.OutputStream out = Files.newOutputStream(ctx.resolve("a.tar"))) {
      dev.stamp.runtime.layer.TarWriter tar = new dev.stamp.runtime.layer.TarWriter(out);
      byte[] data = "in tar\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      tar.write(
          dev.stamp.runtime.layer.TarEntry.file("t.txt", 0644, 0, 0, data.length, 0),
          new java.io.ByteArrayInputStream(data));
      tar.finish();
    }
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM scratch\nCOPY --chmod=0640 d /d/\nADD a.tar /x/\nCOPY <<EOF /h.txt\nhello\nEOF\n"
            + "RUN --mount=type=bind,source=d,target=/m <<EOF\ncat /m/f\nEOF\n");
    for (String p : List.of("d", "d/sub", "a.tar")) { // modes are key input: not the umask's
      Files.setPosixFilePermissions(
          ctx.resolve(p),
          java.nio.file.attribute.PosixFilePermissions.fromString(
              p.endsWith(".tar") ? "rw-r--r--" : "rwxr-xr-x"));
    }
    BuildKeys keys = builder(tmp.resolve("root")).plan(BuildRequest.of(ctx));
    assertThat(keys.cacheKey()).isEqualTo(PINNED_LINKS);
  }

  static final String PINNED_LINKS =
      "b7f39f9c6f0047ff870ab9c73fde1921a5f678e1c8dcf74c1e26ea27b33e2854";

  static final String PINNED = "d7c4085b093572f1294625121d07bb9fd9a257c0c213c59ecd17fce02d72eefe";

  @Test
  void cacheTextNamesFieldsExplicitlyAndNeverTheLocationOrJavaNames() {
    RunInstruction run =
        new RunInstruction(
            ShellOrExec.shell("make"),
            List.of(RunMount.parse("type=cache,target=/c,id=go")),
            "none",
            "sandbox",
            List.of(),
            new SourceLocation(7, 7, 1));
    assertThat(CacheText.of(run))
        .isEqualTo(
            "RUN\n"
                + "command.exec=5:false\n"
                + "command#1\n"
                + " =4:make\n"
                + "mounts#1\n"
                + " type=5:cache\n"
                + " from=-\n"
                + " source=-\n"
                + " target=2:/c\n"
                + " readonly=5:false\n"
                + " id=2:go\n"
                + " sharing=-\n"
                + " required=5:false\n"
                + " mode=-\n"
                + " uid=-\n"
                + " gid=-\n"
                + " size=-\n"
                + " env=-\n"
                + "network=4:none\n"
                + "security=7:sandbox\n"
                + "heredocs#0\n");
    RunInstruction elsewhere =
        new RunInstruction(
            run.command(),
            run.mounts(),
            run.network(),
            run.security(),
            run.heredocs(),
            new SourceLocation(30, 31, 5));
    assertThat(CacheText.of(elsewhere)).isEqualTo(CacheText.of(run));
    CopyInstruction copy =
        new CopyInstruction(
            new CopyArgs(
                List.of("a"),
                List.of(new Heredoc("x", "hi\n", false, true, 0)),
                "/d/",
                Optional.empty(),
                Optional.of("0644"),
                false,
                List.of()),
            Optional.of("build"),
            false,
            new SourceLocation(1, 1, 1));
    assertThat(CacheText.of(copy))
        .doesNotContain("CopyInstruction", "SourceLocation", "inlineSources", "Optional")
        .contains("from=5:build\n", "chmod=4:0644\n", " content=3:hi\n");
  }

  /** COPY and ADD share their arguments' record, not their cache text: each keeps its order. */
  @Test
  void copyAndAddCacheTextIsAsItWasBeforeTheyShared() {
    CopyInstruction copy =
        new CopyInstruction(
            new CopyArgs(
                List.of("a", "b/"),
                List.of(new Heredoc("x", "hi\n", false, true, 0)),
                "/d/",
                Optional.of("1:2"),
                Optional.of("0644"),
                true,
                List.of("*.md")),
            Optional.of("build"),
            true,
            new SourceLocation(1, 1, 1));
    AddInstruction add =
        new AddInstruction(
            new CopyArgs(
                List.of("https://e.x/a.tgz"),
                List.of(),
                "/d/",
                Optional.empty(),
                Optional.of("755"),
                false,
                List.of()),
            Optional.of("sha256:" + "a".repeat(64)),
            true,
            new SourceLocation(1, 1, 1));
    assertThat(CacheText.of(copy))
        .isEqualTo(
            "COPY\n"
                + "sources#2\n"
                + " =1:a\n"
                + " =2:b/\n"
                + "inline#1\n"
                + " name=1:x\n"
                + " content=3:hi\n"
                + "\n"
                + " chomp=5:false\n"
                + " expand=4:true\n"
                + " fd=1:0\n"
                + "destination=3:/d/\n"
                + "from=5:build\n"
                + "chown=3:1:2\n"
                + "chmod=4:0644\n"
                + "link=4:true\n"
                + "excludes#1\n"
                + " =4:*.md\n"
                + "parents=4:true\n");
    assertThat(CacheText.of(add))
        .isEqualTo(
            "ADD\n"
                + "sources#1\n"
                + " =17:https://e.x/a.tgz\n"
                + "inline#0\n"
                + "destination=3:/d/\n"
                + "chown=-\n"
                + "chmod=3:755\n"
                + "link=5:false\n"
                + "excludes#0\n"
                + "checksum=71:sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                + "keep-git-dir=4:true\n");
  }
}
