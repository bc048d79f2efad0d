package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stamp system check [--fix]} and the recovery pass every root-opening command runs, on
 * leftovers of processes that are gone (a pid above the kernel's ceiling names one): no root
 * needed, no mounts.
 */
class SystemCheckTest {

  static final String DEAD = "4194305-9";

  @TempDir Path tmp;
  Path root;
  final StampCliInProcess cli = new StampCliInProcess(() -> root);

  @Test
  void aCleanRootExitsZero() {
    root = tmp.resolve("root");
    assertThat(cli.code("images")).isZero(); // creates the store
    assertThat(cli.code("system", "check")).as(cli.out() + cli.err()).isZero();
    assertThat(cli.out()).isEqualTo("state root " + root + ": clean\n");
  }

  @Test
  void checkListsLeftoversAndChangesNothingFixRemovesThem() throws Exception {
    root = tmp.resolve("root");
    Path build = Files.createDirectories(root.resolve("build-tmp/" + DEAD + "-x/step-1"));
    Path blob = root.resolve("images/tmp/blob-" + DEAD + "-y");
    Files.createDirectories(blob.getParent());
    Files.writeString(blob, "partial");
    Path op = root.resolve("ops/" + DEAD);
    Files.createDirectories(op.getParent());
    Files.writeString(op, "java\n");

    assertThat(cli.code("system", "check")).isEqualTo(1);
    assertThat(cli.out())
        .contains("build temp dir " + build.getParent() + ": left by process 4194305")
        .contains("partial blob " + blob)
        .contains("operation " + op)
        .contains("(--fix removes it)");
    assertThat(build).isDirectory();
    assertThat(blob).exists();
    assertThat(op).exists();

    assertThat(cli.code("system", "check", "--fix")).as(cli.out() + cli.err()).isZero();
    assertThat(cli.out())
        .contains("removed build temp dir " + build.getParent())
        .contains("removed partial blob " + blob)
        .contains("removed operation " + op)
        .endsWith("state root " + root + ": clean\n");
    assertThat(build.getParent()).doesNotExist();
    assertThat(blob).doesNotExist();
    assertThat(op).doesNotExist();
  }

  @Test
  void aRootOpeningCommandRecoversFirst() throws Exception {
    root = tmp.resolve("root");
    Path layer = Files.createDirectories(root.resolve("layers/tmp-" + DEAD + "-z/bin"));
    Files.createDirectories(root.resolve("ops"));
    Files.writeString(root.resolve("ops/" + DEAD), "java\n");

    assertThat(cli.code("images")).as(cli.err()).isZero();

    assertThat(layer.getParent()).doesNotExist();
    assertThat(root.resolve("ops/" + DEAD)).doesNotExist();
  }

  @Test
  void aRootOfANewerStampIsRefusedByEveryCommandNamingTheMarker() throws Exception {
    root = tmp.resolve("root");
    Path leftover = Files.createDirectories(root.resolve("build-tmp/" + DEAD + "-x"));
    Files.writeString(root.resolve("stamp-root"), "format=7\n");

    assertThat(cli.code("ps")).isEqualTo(2);
    assertThat(cli.err())
        .startsWith("stamp: open state root " + root + ": " + root.resolve("stamp-root"))
        .contains("format 7, written by a newer Stamp")
        .doesNotContain("Exception");
    assertThat(cli.code("system", "check", "--fix")).isEqualTo(2);
    assertThat(leftover).isDirectory();
    assertThat(root.resolve("stamp-root")).hasContent("format=7");
  }
}
