package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stamp.testkit.BusyboxRootfs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImageCommandsTest {

  @TempDir Path tmp;
  Path root;
  StringWriter out;
  StringWriter err;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("root");
  }

  int stamp(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = StampCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    return cli.execute(all.toArray(String[]::new));
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
            stamp(
                "import",
                "--change",
                "CMD [\"sh\"]",
                "--change",
                "ENV A=1",
                tar.toString(),
                "base:1"))
        .as(err.toString())
        .isZero();
    String id = out.toString().strip();
    assertThat(id).matches("sha256:[0-9a-f]{64}");

    assertThat(stamp("images")).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE");
    assertThat(lines.get(1))
        .matches("base +1 +" + id.substring(7, 19) + " +\\d+ years ago +[0-9.]+MB");

    assertThat(stamp("tag", "base:1", "localhost:5000/team/base:v1")).isZero();
    assertThat(stamp("images", "-q")).isZero();
    assertThat(out.toString()).isEqualTo(id.substring(7, 19) + "\n");
    assertThat(stamp("images")).isZero();
    assertThat(out.toString()).contains("localhost:5000/team/base   v1");

    assertThat(stamp("rmi", id.substring(7, 15))).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "stamp: remove image "
                + id.substring(7, 15)
                + ": it has 2 names (base:1, localhost:5000/team/base:v1); remove them by name or"
                + " use -f\n");

    assertThat(stamp("rmi", "base:1")).isZero();
    assertThat(out.toString()).isEqualTo("Untagged: base:1\n");
    assertThat(stamp("rmi", "localhost:5000/team/base:v1")).isZero();
    assertThat(out.toString())
        .isEqualTo("Untagged: localhost:5000/team/base:v1\nDeleted: " + id + "\n");
    assertThat(stamp("images", "-q")).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(files(root.resolve("images/blobs/sha256"))).isEmpty();
  }

  @Test
  void importIsReproducible() throws Exception {
    Path tar = busyboxTar();
    assertThat(stamp("import", tar.toString(), "a")).isZero();
    String first = out.toString();
    root = tmp.resolve("other-root");
    assertThat(stamp("import", tar.toString(), "b")).isZero();
    assertThat(out.toString()).isEqualTo(first);
  }

  @Test
  void unknownImageIsOneLineAndExitTwo() {
    assertThat(stamp("rmi", "foo")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("stamp: no such image: foo:latest\n");
    assertThat(stamp("tag", "foo", "bar")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("stamp: no such image: foo:latest\n");
  }

  @Test
  void badInputIsOneLineAndNothingIsCreated() throws IOException {
    Path missing = tmp.resolve("missing.tar");
    assertThat(stamp("import", missing.toString(), "x")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("stamp: import " + missing + ": no such file\n");
    assertThat(stamp("import", missing.toString(), "Bad:Ref")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo("stamp: invalid reference \"Bad:Ref\": repository name must be lowercase\n");
    assertThat(root).doesNotExist();

    Path junk = Files.writeString(tmp.resolve("junk.tar"), "not a tar at all".repeat(64));
    assertThat(stamp("import", junk.toString(), "x")).isEqualTo(2);
    assertThat(err.toString()).startsWith("stamp: import " + junk + ": bad header checksum");
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(files(root.resolve("images/blobs/sha256"))).isEmpty();
    assertThat(files(root.resolve("images/tmp"))).isEmpty();
    assertThat(stamp("images", "-q")).isZero();
    assertThat(out.toString()).isEmpty();
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
