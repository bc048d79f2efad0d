package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import dev.stamp.runtime.layer.Compression;
import dev.stamp.runtime.layer.LayerWriter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers a store keeps as plain tars (what builds write) are pushed gzip-compressed, the same bytes
 * from every root, against a real registry (Debian's docker-registry on 127.0.0.1).
 */
@org.junit.jupiter.api.Timeout(120)
class UncompressedPushIT extends RealRegistryTest {

  @TempDir Path work;

  /** A directory of a few files (content seeded by {@code seed}), the same wherever it is made. */
  Path tree(String name, String seed, int files) throws Exception {
    Path dir = Files.createDirectories(work.resolve("trees").resolve(name));
    Random random = new Random(seed.hashCode());
    for (int i = 0; i < files; i++) {
      byte[] content = new byte[20_000 + i * 1000];
      random.nextBytes(content);
      Files.write(dir.resolve(seed + "-" + i), content);
    }
    return dir;
  }

  /** A linux/amd64 image of {@code trees} as plain-tar layers (as a build writes them), tagged. */
  static Descriptor plainImage(ImageStore store, String ref, Path... trees)
      throws HostRuntimeException {
    List<Descriptor> layers = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (Path tree : trees) {
      LayerWriter.Result layer = new LayerWriter(0, Compression.NONE).write(tree, store);
      assertThat(layer.blob().mediaType()).isEqualTo(MediaType.OCI_LAYER_TAR);
      assertThat(layer.diffId()).isEqualTo(layer.blob().digest());
      layers.add(layer.blob());
      diffIds.add(layer.diffId());
    }
    Descriptor manifest =
        LocalImages.put(store, Platform.of("linux", "amd64"), "plain", layers, diffIds);
    store.tag(ImageReference.parse(ref), manifest);
    return manifest;
  }

  @Test
  void anImagePushedFromAnUncompressedStoreHasOneDigestFromTwoFreshRootsAndPullsBackIdentical()
      throws Exception {
    Path tree = tree("app", "app", 5);
    ImageStore a = RegistryIT.store(work.resolve("root-a"));
    ImageStore b = RegistryIT.store(work.resolve("root-b"));
    Descriptor localA = plainImage(a, ref("plain-a:1"), tree);
    Descriptor localB = plainImage(b, ref("plain-b:1"), tree);
    assertThat(localB.digest()).isEqualTo(localA.digest());

    PushResult fromA = RegistryIT.push(a, ref("plain-a:1"));
    PushResult fromB = RegistryIT.push(b, ref("plain-b:1"));
    assertThat(fromB.digest()).isEqualTo(fromA.digest());
    assertThat(fromA.digest()).isNotEqualTo(localA.digest()); // the registry's layers are gzip
    assertThat(a.resolve(ref("plain-a:1")).manifestDigest()).isEqualTo(localA.digest());

    Image original = a.resolve(ref("plain-a:1"));
    ImageStore c = RegistryIT.store(work.resolve("root-c"));
    PullResult pulled = RegistryIT.pull(c, ref("plain-a:1"));
    assertThat(pulled.image().manifestDigest()).isEqualTo(fromA.digest());
    assertThat(pulled.image().id()).isEqualTo(original.id());
    assertThat(pulled.image().config()).isEqualTo(original.config());
    Descriptor wire = pulled.image().layers().get(0);
    assertThat(wire.mediaType()).isEqualTo(MediaType.OCI_LAYER_TAR_GZIP);
    try (InputStream gzip = Compression.GZIP.decompress(c.openBlob(wire.digest()))) {
      assertThat(gzip.readAllBytes())
          .isEqualTo(a.readBlob(original.layers().get(0).digest()))
          .hasSize((int) original.layers().get(0).size());
    }

    // pulled into B (which holds the plain tar): the same image, by the registry's digest
    PullResult intoB = RegistryIT.pull(b, ref("plain-a:1"));
    assertThat(intoB.image().manifestDigest()).isEqualTo(fromA.digest());
    assertThat(intoB.image().id()).isEqualTo(original.id());
  }

  @Test
  void aSecondPushReusesTheRememberedTwinAndMountsIt() throws Exception {
    ImageStore a = RegistryIT.store(work.resolve("root"));
    Descriptor local = plainImage(a, ref("twice:1"), tree("twice", "twice", 3));
    PushResult first = RegistryIT.push(a, ref("twice:1"));
    Path twins = a.layout().resolveSibling("push-twins");
    Digest tar = a.manifest(local.digest()).layers().get(0).digest();
    String record = Files.readString(twins.resolve(tar.hex()));
    Digest twin = Digest.parse(record.split(" ")[0]);
    long modified = Files.getLastModifiedTime(a.blobFile(twin)).toMillis();

    a.tag(ImageReference.parse(ref("twice-copy:1")), local);
    List<TransferListener.Status> statuses = new ArrayList<>();
    PushResult second =
        new ImagePusher(RegistryIT.registries(), a)
            .push(ImageReference.parse(ref("twice-copy:1")), (blob, s) -> statuses.add(s));
    assertThat(second.digest()).isEqualTo(first.digest());
    assertThat(statuses)
        .containsExactly(TransferListener.Status.MOUNTED, TransferListener.Status.MOUNTED);
    assertThat(Files.getLastModifiedTime(a.blobFile(twin)).toMillis()).isEqualTo(modified);
    assertThat(Files.readString(twins.resolve(tar.hex()))).isEqualTo(record);

    // the twin gone (a gc): made again, the same bytes
    Files.delete(a.blobFile(twin));
    a.tag(ImageReference.parse(ref("twice-third:1")), local);
    assertThat(RegistryIT.push(a, ref("twice-third:1")).digest()).isEqualTo(first.digest());
    assertThat(a.hasBlob(twin)).isTrue();
  }

  @Test
  void anIndexOverAPlainTarImageIsPushedWithItsRewrittenChildAndPullsBackByPlatform()
      throws Exception {
    ImageStore a = RegistryIT.store(work.resolve("root"));
    Descriptor child = plainImage(a, ref("idx-child:1"), tree("idx", "idx", 2));
    Descriptor index =
        LocalImages.taggedIndex(
            a, ref("idx:1"), List.of(child.withPlatform(Platform.of("linux", "amd64"))));
    PushResult pushed = RegistryIT.push(a, ref("idx:1"));
    assertThat(pushed.digest()).isNotEqualTo(index.digest());
    assertThat(a.resolve(ref("idx:1")).manifestDigest()).isEqualTo(child.digest());

    Digest pushedChild = RegistryIT.push(a, ref("idx-child:1")).digest();
    ImageStore b = RegistryIT.store(work.resolve("other"));
    PullResult pulled =
        new ImagePuller(RegistryIT.registries(), b, Platform.of("linux", "amd64"))
            .pull(ImageReference.parse(ref("idx:1")), TransferListener.NONE);
    assertThat(pulled.remoteDigest()).isEqualTo(pushed.digest());
    assertThat(pulled.image().manifestDigest()).isEqualTo(pushedChild);
    assertThat(pulled.image().id()).isEqualTo(a.resolve(ref("idx-child:1")).id());
  }

  @Test
  void parallelPushesOfTwoImagesSharingUncompressedLayersUploadEachSharedBlobOnce()
      throws Exception {
    ImageStore a = RegistryIT.store(work.resolve("root"));
    Path shared1 = tree("shared-1", "shared-1", 8);
    Path shared2 = tree("shared-2", "shared-2", 6);
    plainImage(a, ref("upar-a:1"), shared1, shared2, tree("only-a", "only-a", 1));
    plainImage(a, ref("upar-b:1"), shared1, shared2, tree("only-b", "only-b", 1));
    List<PushResult> results = RegistryIT.pushInParallel(a, ref("upar-a:1"), ref("upar-b:1"));
    List<Descriptor> pushedA =
        RegistryIT.pull(RegistryIT.store(work.resolve("check")), ref("upar-a:1")).image().layers();
    assertThat(pushedA)
        .extracting(Descriptor::mediaType)
        .containsOnly(MediaType.OCI_LAYER_TAR_GZIP);
    RegistryIT.assertEachUploadedOnce(
        registry, List.of(pushedA.get(0).digest(), pushedA.get(1).digest()), "upar-[ab]");
    Image b = RegistryIT.pull(RegistryIT.store(work.resolve("check")), ref("upar-b:1")).image();
    assertThat(b.layers().subList(0, 2)).isEqualTo(pushedA.subList(0, 2));
    assertThat(b.manifestDigest()).isEqualTo(results.get(1).digest());
  }
}
