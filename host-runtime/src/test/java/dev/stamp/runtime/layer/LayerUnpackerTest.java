package dev.stamp.runtime.layer;

import static dev.stamp.runtime.layer.Tars.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.image.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LayerUnpackerTest {

  static final Digest LAYER = Digest.of("the layer blob".getBytes(StandardCharsets.UTF_8));

  @TempDir Path tmp;

  private Path unpackDir() throws IOException {
    return Files.createDirectories(tmp.resolve("layer"));
  }

  private LayerUnpacker.Result unpack(byte[] blob, Path dir) throws HostRuntimeException {
    return new LayerUnpacker().unpack(new ByteArrayInputStream(blob), dir, LAYER, null);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void unpacksFilesDirsLinksWithModesAndTimesAndComputesTheDiffId(Compression compression)
      throws Exception {
    byte[] tar =
        tar()
            .dir("etc/")
            .file("etc/hosts", "127.0.0.1 localhost\n")
            .file("bin/tool", "#!/bin/sh\n", 04755)
            .dir("tmp/", 01777)
            .symlink("etc/link", "hosts")
            .symlink("abs", "/etc/hosts")
            .hardlink("etc/hosts2", "etc/hosts")
            .file("deep/er/file", "x")
            .bytes();
    Path dir = unpackDir();
    LayerUnpacker.Result result = unpack(compress(tar, compression), dir);

    assertThat(result.diffId()).isEqualTo(Digest.of(tar));
    assertThat(result.bytes()).isEqualTo(tar.length);
    assertThat(dir.resolve("etc/hosts")).hasContent("127.0.0.1 localhost");
    assertThat(mode(dir.resolve("bin/tool"))).isEqualTo(04755);
    assertThat(mode(dir.resolve("tmp"))).isEqualTo(01777);
    assertThat(Files.readSymbolicLink(dir.resolve("etc/link")).toString()).isEqualTo("hosts");
    assertThat(Files.readSymbolicLink(dir.resolve("abs")).toString()).isEqualTo("/etc/hosts");
    assertThat(Files.isSameFile(dir.resolve("etc/hosts"), dir.resolve("etc/hosts2"))).isTrue();
    assertThat(dir.resolve("deep/er/file")).hasContent("x");
    assertThat(mtime(dir.resolve("etc/hosts"))).isEqualTo(1_000_000);
    assertThat(mtime(dir.resolve("etc"))).isEqualTo(1_000_000);
    assertThat(mtime(dir.resolve("abs"))).isEqualTo(1_000_000);
  }

  @Test
  void laterEntryReplacesEarlierOneAndNeverFollowsASymlink() throws Exception {
    Path outside = Files.writeString(tmp.resolve("outside"), "keep");
    byte[] tar =
        tar()
            .symlink("f", outside.toString())
            .file("f", "new")
            .file("g", "one")
            .file("g", "two")
            .bytes();
    Path dir = unpackDir();
    unpack(tar, dir);
    assertThat(outside).hasContent("keep");
    assertThat(Files.isSymbolicLink(dir.resolve("f"))).isFalse();
    assertThat(dir.resolve("f")).hasContent("new");
    assertThat(dir.resolve("g")).hasContent("two");
  }

  @Test
  void diffIdMismatchIsRefused() throws Exception {
    byte[] tar = tar().file("a", "a").bytes();
    Digest wrong = Digest.of(new byte[] {1});
    assertThatThrownBy(
            () ->
                new LayerUnpacker()
                    .unpack(new ByteArrayInputStream(tar), unpackDir(), LAYER, wrong))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessage(
            "unpack layer "
                + LAYER
                + ": its diff id is "
                + Digest.of(tar)
                + " but the image config says "
                + wrong);
  }

  @Test
  void notATarIsBadInput() {
    assertThatThrownBy(() -> unpack("hello, I am not a tar".repeat(40).getBytes(), unpackDir()))
        .hasMessageContaining("unpack layer " + LAYER + ": bad header checksum at byte 0")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
    assertThatThrownBy(() -> unpack(new byte[0], unpackDir()))
        .hasMessageContaining("empty input: not a tar archive");
  }

  @Test
  void absolutePathIsRefused() throws Exception {
    assertRefused(tar().file("/abs", "x").bytes(), "/abs", "is an absolute path");
  }

  @Test
  void dotDotEscapeIsRefused() throws Exception {
    assertRefused(tar().file("../evil", "x").bytes(), "../evil", "escapes the layer directory");
    assertRefused(
        tar().file("a/../../evil", "x").bytes(), "a/../../evil", "escapes the layer directory");
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  @Test
  void dotDotThatStaysInsideIsCleaned() throws Exception {
    Path dir = unpackDir();
    unpack(tar().file("a/../b", "x").bytes(), dir);
    assertThat(dir.resolve("b")).hasContent("x");
  }

  @Test
  void writingThroughASymlinkIsRefused() throws Exception {
    Path etc = Files.createDirectories(tmp.resolve("fake-etc"));
    Files.writeString(etc.resolve("passwd"), "root:x:0:0");
    byte[] evil = tar().symlink("a", etc.toString()).file("a/passwd", "owned").bytes();
    assertRefused(evil, "a/passwd", "lies under \"a\", which is a symlink");
    assertThat(etc.resolve("passwd")).hasContent("root:x:0:0");
  }

  @Test
  void hardlinkEscapingIsRefused() throws Exception {
    assertRefused(
        tar().hardlink("shadow", "../../etc/shadow").bytes(),
        "shadow",
        "hard link target \"../../etc/shadow\" escapes the layer directory");
    assertRefused(
        tar().hardlink("shadow", "/etc/shadow").bytes(),
        "shadow",
        "hard link target \"/etc/shadow\" is an absolute path");
    assertRefused(
        tar().hardlink("x", "missing").bytes(), "x", "is a hard link to \"missing\", which is not");
  }

  @Test
  void hardlinkThroughASymlinkIsRefused() throws Exception {
    byte[] evil = tar().symlink("etc", "/etc").hardlink("shadow", "etc/shadow").bytes();
    assertRefused(evil, "shadow", "lies under \"etc\", which is a symlink");
  }

  @Test
  void overlayXattrsAreRefused() throws Exception {
    byte[] evil =
        tar()
            .fileWithXattr(
                "d", "x", "trusted.overlay.redirect", "/etc".getBytes(StandardCharsets.UTF_8))
            .bytes();
    assertRefused(evil, "d", "carries the overlayfs xattr trusted.overlay.redirect");
    byte[] userEvil =
        tar().fileWithXattr("d", "x", "user.overlay.opaque", new byte[] {'y'}).bytes();
    assertRefused(userEvil, "d", "carries the overlayfs xattr user.overlay.opaque");
  }

  @Test
  void userXattrsAreAppliedWithRawBytes() throws Exception {
    byte[] binary = {0, 1, (byte) 0xff, (byte) 0xc3};
    Path dir = unpackDir();
    unpack(tar().fileWithXattr("f", "x", "user.blob", binary).bytes(), dir);
    assertThat(Posix.getXattr(dir.resolve("f"), "user.blob")).isEqualTo(binary);
  }

  @Test
  void gnuAndPaxTarsFromOtherToolsAreRead() throws Exception {
    String longName = "d/" + "long-component/".repeat(10) + "file";
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.createDirectories(src.resolve(longName).getParent());
    Files.writeString(src.resolve(longName), "deep");
    Files.createSymbolicLink(src.resolve("l"), src.resolve(longName).getFileName());
    for (String format : new String[] {"gnu", "posix", "ustar"}) {
      Path tarFile = tmp.resolve(format + ".tar");
      Process p =
          new ProcessBuilder(
                  "tar", "--format=" + format, "-C", src.toString(), "-cf", tarFile.toString(), ".")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as(out).isZero();
      Path dir = Files.createDirectories(tmp.resolve("out-" + format));
      LayerUnpacker.Result result = unpack(Files.readAllBytes(tarFile), dir);
      assertThat(result.diffId()).isEqualTo(Digest.of(Files.readAllBytes(tarFile)));
      assertThat(dir.resolve(longName)).hasContent("deep");
      assertThat(Files.isSymbolicLink(dir.resolve("l"))).isTrue();
    }
  }

  private void assertRefused(byte[] tar, String entry, String why) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("refused-" + System.nanoTime()));
    assertThatThrownBy(() -> unpack(tar, dir))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("unpack layer " + LAYER + ": entry \"" + entry + "\" ")
        .hasMessageContaining(why)
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
  }

  static byte[] compress(byte[] tar, Compression compression) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream c =
        switch (compression) {
          case NONE -> out;
          case GZIP -> new GZIPOutputStream(out);
          case ZSTD -> new ZstdOutputStream(out);
        }) {
      c.write(tar);
    }
    return out.toByteArray();
  }

  static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  static long mtime(Path p) throws IOException {
    return ((FileTime) Files.getAttribute(p, "lastModifiedTime", LinkOption.NOFOLLOW_LINKS))
        .toInstant()
        .getEpochSecond();
  }

  static Map<String, Object> unix(Path p) throws IOException {
    return Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
  }
}
