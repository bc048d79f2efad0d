package dev.stamp.runtime.layer;

import static dev.stamp.runtime.layer.Tars.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresRoot
class LayerStoreIT {

  @TempDir Path root;
  ImageStore images;
  LayerStore layers;

  @BeforeEach
  void open() throws Exception {
    images = ImageStore.open(new StampRoot(root));
    layers = LayerStore.open(new StampRoot(root), images);
  }

  static byte[] base() {
    return tar()
        .dir("etc/")
        .file("etc/base", "from base")
        .file("etc/keep", "kept")
        .dir("opq/")
        .file("opq/a", "a")
        .file("opq/b", "b")
        .dir("data/")
        .file("data/hard1", "same inode")
        .hardlink("data/hard2", "data/hard1")
        .symlink("ln", "etc/keep")
        .add(
            new TarEntry(
                "dev-null",
                TarEntry.Type.CHAR_DEVICE,
                0666,
                0,
                0,
                0,
                1_000_000,
                0,
                "",
                1,
                3,
                Map.of()),
            null)
        .add(TarEntry.file("owned", 0640, 1000, 50, 1, 1_000_000), new byte[] {'x'})
        .bytes();
  }

  static byte[] upper() {
    return tar()
        .dir("etc/")
        .whiteout("etc/.wh.base")
        .dir("opq/")
        .whiteout("opq/.wh..wh..opq")
        .file("opq/new", "new")
        .bytes();
  }

  @Test
  void whiteoutsAndOpaqueDirsHideBaseContentInARealOverlayMount() throws Exception {
    Image image = LayerFixtures.image(images, "stack", base(), upper());
    List<Path> dirs = layers.lowerDirs(image);
    assertThat(dirs)
        .containsExactly(
            root.resolve("layers/sha256/" + image.diffIds().get(0).hex()),
            root.resolve("layers/sha256/" + image.diffIds().get(1).hex()));

    Path upperDir = dirs.get(1);
    Map<String, Object> whiteout = LayerUnpackerTest.unix(upperDir.resolve("etc/base"));
    assertThat((Integer) whiteout.get("mode") & 0170000).isEqualTo(LibC.S_IFCHR);
    assertThat(((Number) whiteout.get("rdev")).longValue()).isZero();
    assertThat(Posix.getXattr(upperDir.resolve("opq"), "trusted.overlay.opaque"))
        .isEqualTo(new byte[] {'y'});

    Path merged = Files.createDirectories(root.resolve("merged"));
    String options = LayerStore.lowerdirOption(dirs);
    assertThat(options).isEqualTo("lowerdir=" + dirs.get(1) + ":" + dirs.get(0));
    assertThat(
            LibC.INSTANCE.mount("overlay", merged.toString(), "overlay", LibC.MS_RDONLY, options))
        .as(LibC.describe("mount overlay"))
        .isZero();
    try {
      assertThat(merged.resolve("etc/base")).doesNotExist();
      assertThat(merged.resolve("etc/keep")).hasContent("kept");
      assertThat(merged.resolve("opq/a")).doesNotExist();
      assertThat(merged.resolve("opq/b")).doesNotExist();
      assertThat(merged.resolve("opq/new")).hasContent("new");
      try (Stream<Path> opq = Files.list(merged.resolve("opq"))) {
        assertThat(opq.map(p -> p.getFileName().toString())).containsExactly("new");
      }
      assertThat(Files.isSameFile(merged.resolve("data/hard1"), merged.resolve("data/hard2")))
          .isTrue();
      assertThat(Files.readSymbolicLink(merged.resolve("ln")).toString()).isEqualTo("etc/keep");
      assertThat(merged.resolve("ln")).hasContent("kept");
      Map<String, Object> dev = LayerUnpackerTest.unix(merged.resolve("dev-null"));
      assertThat((Integer) dev.get("mode") & 0170000).isEqualTo(LibC.S_IFCHR);
      assertThat(((Number) dev.get("rdev")).longValue()).isEqualTo(Posix.makedev(1, 3));
      Map<String, Object> owned = LayerUnpackerTest.unix(merged.resolve("owned"));
      assertThat(owned.get("uid")).isEqualTo(1000);
      assertThat(owned.get("gid")).isEqualTo(50);
      assertThat((Integer) owned.get("mode") & 07777).isEqualTo(0640);
    } finally {
      assertThat(LibC.INSTANCE.umount2(merged.toString(), LibC.MNT_DETACH))
          .as(LibC.describe("umount"))
          .isZero();
    }
  }

  @Test
  void whiteoutThenRecreatedDirectoryInOneLayerIsOpaque() throws Exception {
    byte[] lower = tar().dir("d/").file("d/old", "old").bytes();
    byte[] top = tar().whiteout(".wh.d").dir("d/").file("d/fresh", "fresh").bytes();
    Image image = LayerFixtures.image(images, "recreated", lower, top);
    List<Path> dirs = layers.lowerDirs(image);
    assertThat(Posix.getXattr(dirs.get(1).resolve("d"), "trusted.overlay.opaque"))
        .isEqualTo(new byte[] {'y'});
  }

  @Test
  void maliciousLayersAreRefusedNamingTheEntryAndLeaveNothingBehind() throws Exception {
    Map<String, byte[]> evil =
        Map.of(
            "../evil", tar().file("../evil", "x").bytes(),
            "/abs", tar().file("/abs", "x").bytes(),
            "a/passwd", tar().symlink("a", "/etc").file("a/passwd", "owned").bytes(),
            "shadow", tar().hardlink("shadow", "../../etc/shadow").bytes(),
            "d",
                tar()
                    .fileWithXattr(
                        "d",
                        "x",
                        "trusted.overlay.redirect",
                        "/etc".getBytes(StandardCharsets.UTF_8))
                    .bytes());
    String passwd = Files.readString(Path.of("/etc/passwd"));
    for (Map.Entry<String, byte[]> e : evil.entrySet()) {
      Image image = LayerFixtures.image(images, "evil", e.getValue());
      assertThatThrownBy(() -> layers.lowerDirs(image))
          .as(e.getKey())
          .isInstanceOf(HostRuntimeException.class)
          .hasMessageContaining(
              "unpack layer " + image.layers().get(0).digest() + ": entry \"" + e.getKey() + "\"")
          .satisfies(x -> assertThat(((HostRuntimeException) x).kind()).isEqualTo(Kind.BAD_INPUT));
      assertThat(layerDirEntries()).as(e.getKey()).containsExactly("sha256");
      assertThat(layers.list()).isEmpty();
    }
    assertThat(root.getParent().resolve("evil")).doesNotExist();
    assertThat(Path.of("/abs")).doesNotExist();
    assertThat(Files.readString(Path.of("/etc/passwd"))).isEqualTo(passwd);
  }

  @Test
  void corruptedLayerBlobIsDetectedAndLeavesNothing() throws Exception {
    Image image = LayerFixtures.image(images, "corrupt", base());
    Path blob = root.resolve("images/blobs/sha256/" + image.layers().get(0).digest().hex());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length - 5] ^= 0x55; // the gzip trailer: tar content intact, digest not
    Files.write(blob, bytes);
    assertThatThrownBy(() -> layers.lowerDirs(image))
        .hasMessageContaining("unpack layer " + image.layers().get(0).digest())
        .hasMessageContaining("blob " + image.layers().get(0).digest() + " is corrupted");
    assertThat(layerDirEntries()).containsExactly("sha256");
  }

  @Test
  void concurrentUnpacksOfOneLayerShareOneDirectory() throws Exception {
    Image image = LayerFixtures.image(images, "shared", base());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Path>>> futures = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        futures.add(pool.submit(() -> layers.lowerDirs(image)));
      }
      Set<List<Path>> results = new java.util.HashSet<>();
      for (Future<List<Path>> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(results).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(layerDirEntries()).containsExactly("sha256");
    assertThat(layers.list()).containsExactly(image.diffIds().get(0));
  }

  @SuppressWarnings("try") // a lock held for the block, never read
  @Test
  void pruneRemovesLayersNoImageReferencesUnlessInUse() throws Exception {
    Image a = LayerFixtures.image(images, "a", base());
    Image b = LayerFixtures.image(images, "b", base(), upper());
    layers.lowerDirs(b);
    assertThat(layers.prune(LayerUsage.NONE)).isEmpty();

    images.remove("b", false);
    assertThat(layers.prune(() -> Set.of(b.diffIds().get(1)))).isEmpty();
    assertThat(layers.prune(LayerUsage.NONE)).containsExactly(b.diffIds().get(1));
    assertThat(layers.list()).containsExactly(a.diffIds().get(0));

    try (LayerStore.Lease lease = layers.lease()) {
      images.remove("a", false);
      assertThat(layers.prune(LayerUsage.NONE)).isEmpty();
    }
    assertThat(layers.prune(LayerUsage.NONE)).containsExactly(a.diffIds().get(0));
    assertThat(layerDirEntries()).containsExactly("sha256");
  }

  private List<String> layerDirEntries() throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("layers"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static boolean isDir(Path p) {
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
  }
}
