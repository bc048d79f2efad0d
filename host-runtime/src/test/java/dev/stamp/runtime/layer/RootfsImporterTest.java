package dev.stamp.runtime.layer;

import static dev.stamp.runtime.layer.Tars.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsImporterTest {

  @TempDir Path tmp;
  ImageStore store;

  @BeforeEach
  void open() throws Exception {
    store = ImageStore.open(new StampRoot(tmp.resolve("root")));
  }

  @Test
  void importIsReproducibleWhateverTheCompressionOfTheInput() throws Exception {
    byte[] tar = tar().dir("./").dir("./bin/").file("./bin/sh", "#!", 0755).bytes();
    Path plain = Files.write(tmp.resolve("rootfs.tar"), tar);
    Path gz =
        Files.write(
            tmp.resolve("rootfs.tar.gz"), LayerUnpackerTest.compress(tar, Compression.GZIP));
    RootfsImporter importer = new RootfsImporter(store, Map.of());

    Image a = importer.importTar(plain, ImageReference.parse("a"), List.of("CMD [\"sh\"]"));
    Image b = importer.importTar(gz, ImageReference.parse("b"), List.of("CMD [\"sh\"]"));
    assertThat(a.diffIds()).containsExactly(Digest.of(tar));
    assertThat(b.layers()).isEqualTo(a.layers());
    assertThat(a.config().created()).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(a.config().runConfig().cmd()).containsExactly("sh");
    assertThat(a.config().os()).isEqualTo("linux");

    Image c =
        new RootfsImporter(store, Map.of("SOURCE_DATE_EPOCH", "1700000000"))
            .importTar(plain, ImageReference.parse("c"), List.of());
    assertThat(c.config().created()).isEqualTo("2023-11-14T22:13:20Z");
  }

  @Test
  void maliciousTarIsRefusedAndNothingIsLeft() throws Exception {
    Path evil =
        Files.write(tmp.resolve("evil.tar"), tar().file("ok", "x").file("../evil", "x").bytes());
    assertThatThrownBy(
            () ->
                new RootfsImporter(store, Map.of())
                    .importTar(evil, ImageReference.parse("evil"), List.of()))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessage("import " + evil + ": entry \"../evil\" escapes the layer directory");
    assertNothingStored();

    Path viaLink =
        Files.write(
            tmp.resolve("link.tar"), tar().symlink("a", "/etc").file("a/passwd", "x").bytes());
    assertThatThrownBy(
            () ->
                new RootfsImporter(store, Map.of())
                    .importTar(viaLink, ImageReference.parse("evil"), List.of()))
        .hasMessageContaining("entry \"a/passwd\" lies under \"a\", which is a symlink");
    assertNothingStored();
  }

  @Test
  void missingOrBrokenInputIsReported() throws Exception {
    RootfsImporter importer = new RootfsImporter(store, Map.of());
    Path missing = tmp.resolve("missing.tar");
    assertThatThrownBy(() -> importer.importTar(missing, ImageReference.parse("x"), List.of()))
        .hasMessage("import " + missing + ": no such file")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.NOT_FOUND));
    Path junk = Files.writeString(tmp.resolve("junk.tar"), "junk".repeat(200));
    assertThatThrownBy(() -> importer.importTar(junk, ImageReference.parse("x"), List.of()))
        .hasMessageContaining("bad header checksum");
    Path ok = Files.write(tmp.resolve("ok.tar"), tar().file("f", "x").bytes());
    assertThatThrownBy(() -> importer.importTar(ok, ImageReference.parse("x"), List.of("RUN x")))
        .hasMessageContaining("unsupported instruction RUN");
    assertNothingStored();
  }

  private void assertNothingStored() throws IOException, HostRuntimeException {
    assertThat(store.list()).isEmpty();
    try (Stream<Path> blobs = Files.list(store.layout().resolve("blobs/sha256"));
        Stream<Path> temp = Files.list(store.layout().resolve("tmp"))) {
      assertThat(blobs).isEmpty();
      assertThat(temp).isEmpty();
    }
  }
}
