package dev.stamp.runtime.layer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.testkit.RequiresRoot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerWriterTest {

  @TempDir Path tmp;

  private Path sampleTree(String name, long mtime) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.createDirectories(dir.resolve("b/sub"));
    Files.writeString(dir.resolve("b/sub/z"), "z");
    Files.writeString(dir.resolve("a.txt"), "a");
    Files.writeString(dir.resolve("b/file"), "file");
    Files.createLink(dir.resolve("b/link-to-file"), dir.resolve("b/file"));
    Posix.symlink("b//file", dir.resolve("sym"));
    Posix.chmod(dir.resolve("a.txt"), 04755);
    Posix.setXattr(dir.resolve("a.txt"), "user.note", new byte[] {1, 2, (byte) 0xff});
    Files.writeString(dir.resolve("long-" + "x".repeat(120)), "long name");
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.toList()) {
        Posix.setTimes(p, mtime, 123);
      }
    }
    return dir;
  }

  @Test
  void sameContentGivesSameBytesWhateverTheMtimesAfterTheEpoch() throws Exception {
    LayerWriter writer = new LayerWriter(1_000, Compression.GZIP);
    ImageStore store = ImageStore.open(new StampRoot(tmp.resolve("root")));
    LayerWriter.Result one = writer.write(sampleTree("one", 5_000), store);
    LayerWriter.Result two = writer.write(sampleTree("two", 9_000_000), store);
    assertThat(two.diffId()).isEqualTo(one.diffId());
    assertThat(two.blob()).isEqualTo(one.blob());
    assertThat(one.blob().mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");

    byte[] tar;
    try (InputStream in = new GZIPInputStream(store.openBlob(one.blob().digest()))) {
      tar = in.readAllBytes();
    }
    assertThat(Digest.of(tar)).isEqualTo(one.diffId());
    assertThat(tar.length).isEqualTo(one.uncompressedSize());
    List<TarEntry> entries = entries(tar);
    assertThat(entries)
        .extracting(TarEntry::name)
        .containsExactly(
            "a.txt",
            "b/",
            "b/file",
            "b/link-to-file",
            "b/sub/",
            "b/sub/z",
            "long-" + "x".repeat(120),
            "sym");
    for (TarEntry e : entries) {
      assertThat(e.mtimeSeconds()).as(e.name()).isEqualTo(1_000);
      assertThat(e.mtimeNanos()).isZero();
    }
    assertThat(entries.get(0).mode()).isEqualTo(04755);
    assertThat(entries.get(0).xattrs()).containsOnlyKeys("user.note");
    assertThat(entries.get(0).xattrs().get("user.note")).isEqualTo(new byte[] {1, 2, (byte) 0xff});
    assertThat(entries.get(3).type()).isEqualTo(TarEntry.Type.HARDLINK);
    assertThat(entries.get(3).linkName()).isEqualTo("b/file");
    assertThat(entries.get(7).linkName()).isEqualTo("b//file");
  }

  @Test
  void olderMtimesAreKeptAndTheTarRoundTripsThroughTheUnpacker() throws Exception {
    Path src = sampleTree("src", 500);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new LayerWriter(1_000, Compression.NONE).writeTar(src, out);
    Path dst = Files.createDirectories(tmp.resolve("dst"));
    LayerUnpacker.Result result =
        new LayerUnpacker()
            .unpack(new ByteArrayInputStream(out.toByteArray()), dst, Digest.of(new byte[0]), null);
    assertThat(result.diffId()).isEqualTo(Digest.of(out.toByteArray()));
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    new LayerWriter(1_000, Compression.NONE).writeTar(dst, again);
    assertThat(again.toByteArray()).isEqualTo(out.toByteArray());
    assertThat(entries(out.toByteArray()).get(0).mtimeSeconds()).isEqualTo(500);
    assertThat(Files.getLastModifiedTime(dst.resolve("b/sub")))
        .isEqualTo(FileTime.from(Instant.ofEpochSecond(500)));
  }

  @Test
  void sourceDateEpochComesFromTheEnvironment() {
    assertThat(LayerWriter.sourceDateEpoch(Map.of())).isZero();
    assertThat(LayerWriter.sourceDateEpoch(Map.of("SOURCE_DATE_EPOCH", "1700000000")))
        .isEqualTo(1_700_000_000L);
  }

  @Test
  @RequiresRoot
  void overlayUpperDirBecomesOciWhiteouts() throws Exception {
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Files.createDirectories(upper.resolve("etc"));
    Posix.mknod(upper.resolve("etc/gone"), LibC.S_IFCHR, 0, 0, 0);
    Files.createDirectories(upper.resolve("opq"));
    Files.writeString(upper.resolve("opq/new"), "n");
    Posix.setXattr(upper.resolve("opq"), "trusted.overlay.opaque", new byte[] {'y'});
    Posix.mknod(upper.resolve("null"), LibC.S_IFCHR, 0666, 1, 3);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new LayerWriter(0, Compression.NONE).writeTar(upper, out);
    List<TarEntry> entries = entries(out.toByteArray());
    assertThat(entries)
        .extracting(TarEntry::name)
        .containsExactly("etc/", "etc/.wh.gone", "null", "opq/", "opq/.wh..wh..opq", "opq/new");
    assertThat(entries.get(1).type()).isEqualTo(TarEntry.Type.FILE);
    assertThat(entries.get(2).type()).isEqualTo(TarEntry.Type.CHAR_DEVICE);
    assertThat(entries.get(2).devMajor()).isEqualTo(1);
    assertThat(entries.get(2).devMinor()).isEqualTo(3);
    assertThat(entries.get(3).xattrs()).isEmpty();

    Path back = Files.createDirectories(tmp.resolve("back"));
    new LayerUnpacker()
        .unpack(new ByteArrayInputStream(out.toByteArray()), back, Digest.of(new byte[0]), null);
    assertThat(Posix.getXattr(back.resolve("opq"), "trusted.overlay.opaque"))
        .isEqualTo(new byte[] {'y'});
    assertThat(((Number) LayerUnpackerTest.unix(back.resolve("etc/gone")).get("rdev")).longValue())
        .isZero();
  }

  static List<TarEntry> entries(byte[] tar) throws IOException {
    TarReader reader = new TarReader(new ByteArrayInputStream(tar));
    List<TarEntry> entries = new ArrayList<>();
    for (TarEntry e = reader.next(); e != null; e = reader.next()) {
      entries.add(e);
    }
    return entries;
  }
}
