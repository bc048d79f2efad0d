package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.context.DockerIgnore;
import dev.stamp.builder.dockerfile.SourceLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's pure parts: output specs, path cleaning, globs, cache keys, COPY plans. */
class EnginePartsTest {

  @TempDir Path tmp;

  @Test
  void outputSpecs() throws Exception {
    assertThat(OutputSpec.parse("type=oci,dest=/tmp/x"))
        .isEqualTo(new OutputSpec(OutputSpec.Type.OCI, Path.of("/tmp/x")));
    assertThat(OutputSpec.parse("type=oci-archive,dest=img.tar").type())
        .isEqualTo(OutputSpec.Type.OCI_ARCHIVE);
    assertThatThrownBy(() -> OutputSpec.parse("type=docker,dest=x"))
        .hasMessageContaining("unsupported type \"docker\"");
    assertThatThrownBy(() -> OutputSpec.parse("type=oci")).hasMessageContaining("dest=");
    assertThatThrownBy(() -> OutputSpec.parse("type=oci,dst=x"))
        .hasMessageContaining("unknown key \"dst\"");
  }

  @Test
  void pathsAreCleanedInsideTheRoot() {
    assertThat(CopyPlan.clean("./a/../b/./c/")).isEqualTo("b/c");
    assertThat(CopyPlan.clean("/abs/x")).isEqualTo("abs/x");
    assertThat(CopyPlan.clean(".")).isEmpty();
    assertThat(CopyPlan.clean("../x")).isNull();
    assertThat(CopyPlan.clean("a/../../x")).isNull();
    assertThat(CopyPlan.normalise("/app/../etc/")).isEqualTo("/etc");
  }

  @Test
  void globsMatchOneSegmentEach() {
    assertThat(SourceTree.globToRegex("src/*.java").matcher("src/A.java").matches()).isTrue();
    assertThat(SourceTree.globToRegex("src/*.java").matcher("src/x/A.java").matches()).isFalse();
    assertThat(SourceTree.globToRegex("f?[0-9]").matcher("fa7").matches()).isTrue();
    assertThat(SourceTree.globToRegex("f[!a]").matcher("fa").matches()).isFalse();
    assertThat(SourceTree.globToRegex("a.b").matcher("axb").matches()).isFalse();
  }

  @Test
  void cacheKeysAreLengthPrefixed() {
    assertThat(BuildCache.key("ab", "c")).isNotEqualTo(BuildCache.key("a", "bc"));
    assertThat(BuildCache.key("x")).isEqualTo(BuildCache.key("x")).hasSize(64);
  }

  @Test
  void copyPlanPlacesSourcesLikeDocker() throws Exception {
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx.resolve("src/sub"));
    Files.writeString(ctx.resolve("src/A.java"), "a");
    Files.writeString(ctx.resolve("src/B.java"), "b");
    Files.writeString(ctx.resolve("src/sub/C.java"), "c");
    Files.writeString(ctx.resolve("src/notes.txt"), "n");
    Files.writeString(ctx.resolve("secret.key"), "k");
    Files.writeString(ctx.resolve(".dockerignore"), "*.key\n");
    SourceTree tree = SourceTree.context(ctx, DockerIgnore.load(ctx, ctx.resolve("Dockerfile")));
    SourceLocation at = new SourceLocation(3, 3, 1);

    CopyPlan glob =
        CopyPlan.of(
            "Dockerfile",
            "COPY",
            at,
            tree,
            List.of("src/*.java"),
            List.of(),
            "/app/",
            "/",
            false,
            List.of(),
            null);
    assertThat(glob.items())
        .extracting(CopyPlan.Item::dest)
        .containsExactly("/app/A.java", "/app/B.java");

    CopyPlan dir =
        CopyPlan.of(
            "Dockerfile",
            "COPY",
            at,
            tree,
            List.of("src"),
            List.of(),
            "code",
            "/work",
            false,
            List.of("*.txt"),
            null);
    assertThat(dir.items())
        .extracting(CopyPlan.Item::dest)
        .containsExactly(
            "/work/code/A.java", "/work/code/B.java", "/work/code/sub", "/work/code/sub/C.java");

    CopyPlan parents =
        CopyPlan.of(
            "Dockerfile",
            "COPY",
            at,
            tree,
            List.of("src/sub/C.java"),
            List.of(),
            "/out",
            "/",
            true,
            List.of(),
            null);
    assertThat(parents.items())
        .extracting(CopyPlan.Item::dest)
        .containsExactly("/out/src/sub/C.java");

    CopyPlan file =
        CopyPlan.of(
            "Dockerfile",
            "COPY",
            at,
            tree,
            List.of("src/A.java"),
            List.of(),
            "/x/Main",
            "/",
            false,
            List.of(),
            null);
    assertThat(file.items()).extracting(CopyPlan.Item::dest).containsExactly("/x/Main");

    assertThatThrownBy(
            () ->
                CopyPlan.of(
                    "Dockerfile",
                    "COPY",
                    at,
                    tree,
                    List.of("secret.key"),
                    List.of(),
                    "/",
                    "/",
                    false,
                    List.of(),
                    null))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:3:1: COPY secret.key: no such file");
  }

  @Test
  void keyMaterialFollowsContentNotMtimes() throws Exception {
    Path ctx = tmp.resolve("k");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("f"), "one");
    SourceLocation at = new SourceLocation(1, 1, 1);
    String before = plan(ctx, at).keyMaterial();
    Files.setLastModifiedTime(ctx.resolve("f"), java.nio.file.attribute.FileTime.fromMillis(5));
    assertThat(plan(ctx, at).keyMaterial()).isEqualTo(before);
    Files.writeString(ctx.resolve("f"), "two");
    assertThat(plan(ctx, at).keyMaterial()).isNotEqualTo(before);
  }

  private static CopyPlan plan(Path ctx, SourceLocation at) throws Exception {
    SourceTree tree = SourceTree.context(ctx, DockerIgnore.empty());
    return CopyPlan.of(
        "Dockerfile", "COPY", at, tree, List.of("f"), List.of(), "/f", "/", false, List.of(), null);
  }
}
