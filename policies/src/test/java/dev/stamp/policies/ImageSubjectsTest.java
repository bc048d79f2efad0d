package dev.stamp.policies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import dev.stamp.runtime.layer.TarEntry;
import dev.stamp.runtime.layer.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image read back from a real store: config user and layer tar headers reach the rules. */
class ImageSubjectsTest {

  @TempDir Path root;

  @Test
  void layerHeadersAndConfigReachTheImageRules() throws Exception {
    ImageStore store = ImageStore.open(new StampRoot(root));
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    TarWriter w = new TarWriter(tar);
    w.write(TarEntry.directory("app/", 0755, 0, 0, 0), new ByteArrayInputStream(new byte[0]));
    w.write(TarEntry.file("app/run", 04755, 0, 0, 0, 0), new ByteArrayInputStream(new byte[0]));
    w.write(TarEntry.file("app/data", 0666, 0, 0, 0, 0), new ByteArrayInputStream(new byte[0]));
    w.write(TarEntry.directory("app/tmp/", 01777, 0, 0, 0), new ByteArrayInputStream(new byte[0]));
    w.finish();
    byte[] layer = tar.toByteArray();
    Descriptor layerDesc = store.putBlob(MediaType.OCI_LAYER_TAR, layer);
    ImageConfig config =
        ImageConfig.of(
            Platform.of("linux", "amd64"),
            "2026-01-01T00:00:00Z",
            ContainerConfig.builder().build(),
            List.of(Digest.of(layer)),
            List.of());
    Descriptor configDesc = store.putConfig(config);
    Descriptor manifest = store.putManifest(ImageManifest.of(configDesc, List.of(layerDesc)));
    store.tag(ImageReference.parse("shop/web:abc1234"), manifest);

    ImageSubject image =
        ImageSubjects.read(
            store,
            "shop/web:abc1234",
            0,
            Optional.of("shop"),
            Optional.of("web"),
            Optional.of("apps/shop/Dockerfile"));
    assertThat(image.layers()).hasSize(1);
    assertThat(image.layers().get(0).files())
        .extracting(ImageSubject.LayerFile::path)
        .containsExactly("app/", "app/run", "app/data", "app/tmp/");

    Report r = Fixtures.engine(PolicyConfig.defaults()).check(List.of(image));
    assertThat(r.findings())
        .extracting(Finding::ruleId, f -> f.location().path())
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("STAMP-IM-001", "config.User"),
            org.assertj.core.groups.Tuple.tuple("STAMP-IM-002", "layers[0]/app/run"),
            org.assertj.core.groups.Tuple.tuple("STAMP-IM-003", "layers[0]/app/data"));
    assertThat(
            r.findings().stream()
                .filter(f -> f.ruleId().equals("STAMP-IM-001"))
                .findFirst()
                .get()
                .message())
        .isEqualTo("image runs as root (no user set); built from apps/shop/Dockerfile");
  }
}
