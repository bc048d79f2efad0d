package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stamp.testkit.BusyboxRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCommandsTest {

  final StampCliInProcess cli = new StampCliInProcess(() -> this.root);

  @TempDir Path tmp;
  Path root;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("root");
  }

  Path busyboxTar() {
    assumeTrue(BusyboxRootfs.available(), "needs busybox-static (/bin/busybox)");
    return BusyboxRootfs.tar(
        BusyboxRootfs.create(tmp.resolve("rootfs")), tmp.resolve("rootfs.tar"));
  }

  @Test
  void importListTagAndRemove() throws Exception {
    Path tar = busyboxTar();
    assertThat(
            cli.code(
                "import",
                "--change",
                "CMD [\"sh\"]",
                "--change",
                "ENV A=1",
                tar.toString(),
                "base:1"))
        .as(cli.err())
        .isZero();
    String id = cli.out().strip();
    assertThat(id).matches("sha256:[0-9a-f]{64}");

    assertThat(cli.code("images")).isZero();
    List<String> lines = cli.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE");
    assertThat(lines.get(1))
        .matches("base +1 +" + id.substring(7, 19) + " +\\d+ years ago +[0-9.]+MB");

    assertThat(cli.code("tag", "base:1", "localhost:5000/team/base:v1")).isZero();
    assertThat(cli.code("images", "-q")).isZero();
    assertThat(cli.out()).isEqualTo(id.substring(7, 19) + "\n");
    assertThat(cli.code("images")).isZero();
    assertThat(cli.out()).contains("localhost:5000/team/base   v1");

    assertThat(cli.code("rmi", id.substring(7, 15))).isEqualTo(1);
    assertThat(cli.err())
        .isEqualTo(
            "stamp: remove image "
                + id.substring(7, 15)
                + ": it has 2 names (base:1, localhost:5000/team/base:v1); remove them by name or"
                + " use -f\n");

    assertThat(cli.code("rmi", "base:1")).isZero();
    assertThat(cli.out()).isEqualTo("Untagged: base:1\n");
    assertThat(cli.code("rmi", "localhost:5000/team/base:v1")).isZero();
    assertThat(cli.out()).isEqualTo("Untagged: localhost:5000/team/base:v1\nDeleted: " + id + "\n");
    assertThat(cli.code("images", "-q")).isZero();
    assertThat(cli.out()).isEmpty();
    assertThat(files(root.resolve("images/blobs/sha256"))).isEmpty();
  }

  @Test
  void importIsReproducible() throws Exception {
    Path tar = busyboxTar();
    assertThat(cli.code("import", tar.toString(), "a")).isZero();
    String first = cli.out();
    root = tmp.resolve("other-root");
    assertThat(cli.code("import", tar.toString(), "b")).isZero();
    assertThat(cli.out()).isEqualTo(first);
  }

  @Test
  void unknownImageIsOneLineAndExitTwo() {
    assertThat(cli.code("rmi", "foo")).isEqualTo(2);
    assertThat(cli.err()).isEqualTo("stamp: no such image: foo:latest\n");
    assertThat(cli.code("tag", "foo", "bar")).isEqualTo(2);
    assertThat(cli.err()).isEqualTo("stamp: no such image: foo:latest\n");
  }

  @Test
  void badInputIsOneLineAndNothingIsCreated() throws IOException {
    Path missing = tmp.resolve("missing.tar");
    assertThat(cli.code("import", missing.toString(), "x")).isEqualTo(2);
    assertThat(cli.err()).isEqualTo("stamp: import " + missing + ": no such file\n");
    assertThat(cli.code("import", missing.toString(), "Bad:Ref")).isEqualTo(2);
    assertThat(cli.err())
        .isEqualTo("stamp: invalid reference \"Bad:Ref\": repository name must be lowercase\n");
    assertThat(root).doesNotExist();

    Path junk = Files.writeString(tmp.resolve("junk.tar"), "not a tar at all".repeat(64));
    assertThat(cli.code("import", junk.toString(), "x")).isEqualTo(2);
    assertThat(cli.err()).startsWith("stamp: import " + junk + ": bad header checksum");
    assertThat(cli.err().lines()).hasSize(1);
    assertThat(files(root.resolve("images/blobs/sha256"))).isEmpty();
    assertThat(files(root.resolve("images/tmp"))).isEmpty();
    assertThat(cli.code("images", "-q")).isZero();
    assertThat(cli.out()).isEmpty();
  }

  @Test
  void humanForms() {
    assertThat(Humanize.size(0)).isEqualTo("0B");
    assertThat(Humanize.size(999)).isEqualTo("999B");
    assertThat(Humanize.size(4_261_000)).isEqualTo("4.26MB");
    assertThat(Humanize.size(1_000_000)).isEqualTo("1MB");
    assertThat(Humanize.duration(Duration.ofSeconds(30))).isEqualTo("30 seconds");
    assertThat(Humanize.duration(Duration.ofMinutes(61))).isEqualTo("About an hour");
    assertThat(Humanize.duration(Duration.ofDays(3))).isEqualTo("3 days");
    assertThat(Humanize.duration(Duration.ofDays(800))).isEqualTo("2 years");
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
