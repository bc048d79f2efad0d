package dev.stamp.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {

  @TempDir Path root;
  ImageStore store;

  @BeforeEach
  void open() throws Exception {
    store = ImageStore.open(new StampRoot(root));
  }

  @Test
  void theEmptyIndexWrittenWithoutTheMapperIsWhatTheMapperWrites() {
    assertThat(new String(ImageStore.EMPTY_INDEX, StandardCharsets.UTF_8))
        .isEqualTo(new String(ImageJson.write(ImageIndex.of(List.of())), StandardCharsets.UTF_8));
  }

  @Test
  void taggedEntryFindsExactlyTheNamedEntryWithItsAnnotations() throws Exception {
    Descriptor manifest = TestImages.putUntagged(store, "scan");
    ImageReference ref = ImageReference.parse("reg.test/app:1");
    store.tag(ref, manifest, java.util.Map.of("dev.stamp.test", "yes"));
    store.tag(ImageReference.parse("reg.test/app:2"), manifest);

    Descriptor entry = store.taggedEntry(ref).orElseThrow();
    assertThat(entry.digest()).isEqualTo(manifest.digest());
    assertThat(entry.mediaType()).isEqualTo(manifest.mediaType());
    assertThat(entry.annotation("dev.stamp.test")).isEqualTo("yes");
    assertThat(entry.annotation(Descriptor.REF_NAME)).isEqualTo("reg.test/app:1");
    assertThat(store.taggedEntry(ImageReference.parse("reg.test/app:3"))).isEmpty();
  }

  @Test
  void openLaysOutAnOciLayout() throws Exception {
    Path layout = root.resolve("images");
    assertThat(store.layout()).isEqualTo(layout);
    assertThat(Files.readString(layout.resolve("oci-layout")))
        .isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    assertThat(Files.readString(layout.resolve("index.json")))
        .isEqualTo(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[]}");
    assertThat(layout.resolve("blobs/sha256")).isDirectory();
  }

  @Test
  void blobRoundTripsUnderItsDigest() throws Exception {
    byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
    Descriptor d = store.putBlob(MediaType.OCI_LAYER_TAR, bytes);
    assertThat(d.digest()).isEqualTo(Digest.of(bytes));
    assertThat(d.size()).isEqualTo(5);
    assertThat(root.resolve("images/blobs/sha256/" + d.digest().hex())).hasBinaryContent(bytes);
    assertThat(store.hasBlob(d.digest())).isTrue();
    assertThat(store.readBlob(d.digest())).isEqualTo(bytes);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void contentNotMatchingExpectedDigestIsRefusedAndNotStored() throws Exception {
    Digest expected = Digest.of("other".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(
            () ->
                store.putBlob(
                    MediaType.OCI_LAYER_TAR,
                    new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)),
                    expected))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("store blob " + expected + ": content digest is sha256:2cf24dba");
    assertThat(blobFiles()).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void interruptedBlobWriteLeavesNoBlobAndNoTempFile() throws Exception {
    InputStream failsHalfway =
        new InputStream() {
          int sent;

          @Override
          public int read() throws IOException {
            if (sent++ > 100_000) {
              throw new IOException("connection reset");
            }
            return 'x';
          }
        };
    assertThatThrownBy(() -> store.putBlob(MediaType.OCI_LAYER_TAR, failsHalfway, null))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("connection reset");
    assertThat(blobFiles()).isEmpty();
    assertThat(tempFiles()).isEmpty();

    try (BlobWriter writer = store.blobWriter()) {
      writer.stream().write(new byte[1000]);
      assertThat(tempFiles()).hasSize(1);
      assertThat(blobFiles()).isEmpty();
    }
    assertThat(tempFiles()).isEmpty();
  }

  /** Buffers and stream writes of every size land in order; the digest is checked on commit. */
  @Test
  void aBlobWrittenInBuffersAndStreamPiecesIsStoredWholeAndACorruptedOneRefused() throws Exception {
    byte[] data = new byte[(5 << 20) + 3];
    new java.util.Random(9).nextBytes(data);
    Digest digest = Digest.of(data);
    byte[] corrupted = data.clone();
    corrupted[(3 << 20) + 1] ^= 1;

    try (BlobWriter writer = writeInPieces(corrupted)) {
      assertThatThrownBy(() -> writer.commit(MediaType.OCI_LAYER_TAR, digest))
          .isInstanceOf(HostRuntimeException.class)
          .hasMessageContaining("content digest is " + Digest.of(corrupted));
    }
    assertThat(blobFiles()).isEmpty();
    try (BlobWriter writer = writeInPieces(data)) {
      assertThat(writer.size()).isEqualTo(data.length);
      assertThat(writer.commit(MediaType.OCI_LAYER_TAR, digest).digest()).isEqualTo(digest);
    }
    assertThat(store.readBlob(digest)).isEqualTo(data);
    assertThat(tempFiles()).isEmpty();
  }

  /** {@code data} through a new writer: stream writes, heap and direct buffers of random sizes. */
  private BlobWriter writeInPieces(byte[] data) throws Exception {
    java.util.Random sizes = new java.util.Random(4);
    BlobWriter writer = store.blobWriter();
    int at = 0;
    while (at < data.length) {
      int n = Math.min(data.length - at, 1 + sizes.nextInt(700_000));
      int kind = sizes.nextInt(3);
      if (kind == 0) {
        writer.stream().write(data, at, n);
      } else {
        java.nio.ByteBuffer b =
            kind == 1 ? java.nio.ByteBuffer.allocateDirect(n) : java.nio.ByteBuffer.allocate(n);
        b.put(data, at, n).flip();
        writer.write(b);
        assertThat(b.hasRemaining()).isFalse();
      }
      at += n;
    }
    return writer;
  }

  @Test
  void corruptedBlobIsDetectedOnReadNamingTheDigest() throws Exception {
    Descriptor d =
        store.putBlob(MediaType.OCI_CONFIG, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    Path file = root.resolve("images/blobs/sha256/" + d.digest().hex());
    Files.writeString(file, "{\"a\":2}");

    assertThatThrownBy(() -> store.readBlob(d.digest()))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("blob " + d.digest() + " is corrupted")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.FAILED));
    try (InputStream in = store.openBlob(d.digest())) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(BlobCorruptedException.class)
          .hasMessageContaining(d.digest().toString());
    }
  }

  @Test
  void missingBlobIsNotFound() {
    Digest absent = Digest.of(new byte[] {1});
    assertThatThrownBy(() -> store.openBlob(absent))
        .hasMessage("blob " + absent + " is not in the image store")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.NOT_FOUND));
  }

  @Test
  void resolvesByNameFullReferenceDigestsAndIdPrefix() throws Exception {
    Image image = TestImages.put(store, "busybox", "a");
    assertThat(image.reference().toString()).isEqualTo("docker.io/library/busybox:latest");
    assertThat(image.config().runConfig().cmd()).containsExactly("sh", "a");
    assertThat(image.diffIds()).hasSize(1);
    assertThat(image.layers()).hasSize(1);

    for (String name :
        List.of(
            "busybox",
            "busybox:latest",
            "docker.io/library/busybox:latest",
            "busybox@" + image.manifestDigest(),
            image.manifestDigest().toString(),
            image.configDigest().toString(),
            image.configDigest().hex().substring(0, 12),
            image.configDigest().hex().substring(0, 4),
            "sha256:" + image.configDigest().hex().substring(0, 8))) {
      Image found = store.resolve(name);
      assertThat(found.manifestDigest()).as(name).isEqualTo(image.manifestDigest());
      assertThat(found.configDigest()).as(name).isEqualTo(image.configDigest());
    }
    assertThat(Files.readString(root.resolve("images/index.json")))
        .contains("\"org.opencontainers.image.ref.name\":\"docker.io/library/busybox:latest\"");
  }

  @Test
  void unknownImageIsNotFoundNamingIt() throws Exception {
    TestImages.put(store, "busybox", "a");
    assertThatThrownBy(() -> store.resolve("foo"))
        .hasMessage("no such image: foo:latest")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.NOT_FOUND));
    assertThatThrownBy(() -> store.resolve("localhost:5000/app:v2"))
        .hasMessage("no such image: localhost:5000/app:v2");
    assertThatThrownBy(() -> store.resolve("Foo"))
        .hasMessageContaining("invalid reference \"Foo\"")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
  }

  @Test
  void ambiguousIdPrefixIsRefused() throws Exception {
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      images.add(TestImages.put(store, "img" + i, "seed" + i));
    }
    // 40 ids over 16 possible first hex digits: some first digit is shared, so 1 char is ambiguous
    // (and shorter than the 4 an id prefix needs, so it is tried as a name); find a shared 4-prefix
    // by checking that a full id still works and a 4-char prefix of each is unique or ambiguous.
    for (Image image : images) {
      String prefix = image.configDigest().hex().substring(0, 4);
      long sharing = images.stream().filter(o -> o.configDigest().hex().startsWith(prefix)).count();
      if (sharing > 1) {
        assertThatThrownBy(() -> store.resolve(prefix)).hasMessageContaining("is ambiguous");
      } else {
        assertThat(store.resolve(prefix).configDigest()).isEqualTo(image.configDigest());
      }
    }
  }

  @Test
  void tagAddsANameAndUntagRemovesIt() throws Exception {
    Image image = TestImages.put(store, "busybox", "a");
    store.tag("busybox", ImageReference.parse("localhost:5000/mine:v1"));
    assertThat(store.resolve("localhost:5000/mine:v1").manifestDigest())
        .isEqualTo(image.manifestDigest());
    assertThat(store.list())
        .extracting(i -> i.reference().familiar())
        .containsExactly("busybox:latest", "localhost:5000/mine:v1");

    store.untag(ImageReference.parse("busybox"));
    assertThat(store.list())
        .extracting(i -> i.reference().familiar())
        .containsExactly("localhost:5000/mine:v1");
    assertThatThrownBy(() -> store.untag(ImageReference.parse("busybox")))
        .hasMessage("no such image: busybox:latest");
  }

  @Test
  void removeByNameKeepsSharedBlobsAndCollectsTheRest() throws Exception {
    Image a = TestImages.put(store, "a", "a");
    store.tag("a", ImageReference.parse("a2"));
    Image b = TestImages.put(store, "b", "b");

    ImageStore.Removal removal = store.remove("a", false);
    assertThat(removal.untagged()).extracting(ImageReference::familiar).containsExactly("a:latest");
    assertThat(removal.deleted()).isEmpty();

    removal = store.remove("a2", false);
    assertThat(removal.deleted())
        .containsExactlyInAnyOrder(
            a.manifestDigest(), a.configDigest(), a.layers().get(0).digest());
    assertThat(store.hasBlob(a.manifestDigest())).isFalse();
    assertThat(store.hasBlob(b.manifestDigest())).isTrue();
    assertThat(store.resolve("b").configDigest()).isEqualTo(b.configDigest());
  }

  @Test
  void removeByIdWithSeveralNamesNeedsForce() throws Exception {
    Image a = TestImages.put(store, "a", "a");
    store.tag("a", ImageReference.parse("a2"));
    String id = a.configDigest().shortHex();
    assertThatThrownBy(() -> store.remove(id, false))
        .hasMessageContaining("it has 2 names (a2:latest, a:latest)")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.CONFLICT));
    assertThat(store.list()).hasSize(2);

    ImageStore.Removal removal = store.remove(id, true);
    assertThat(removal.untagged()).hasSize(2);
    assertThat(store.list()).isEmpty();
    assertThat(blobFiles()).isEmpty();
  }

  @SuppressWarnings("try") // a lock held for the block, never read
  @Test
  void gcDeletesNothingWhileALeaseIsHeld() throws Exception {
    Descriptor orphan;
    try (ImageStore.Lease lease = store.lease()) {
      orphan = TestImages.putUntagged(store, "pulling");
      assertThat(store.gc()).isEmpty();
      assertThat(store.hasBlob(orphan.digest())).isTrue();
    }
    assertThat(store.gc()).contains(orphan.digest());
    assertThat(store.hasBlob(orphan.digest())).isFalse();
  }

  @Test
  void concurrentTagsFromThreadsAreAllKept() throws Exception {
    Descriptor manifest = TestImages.putUntagged(store, "shared");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  ImageStore own = ImageStore.open(new StampRoot(root));
                  for (int i = 0; i < 25; i++) {
                    own.tag(ImageReference.parse("t" + thread + ":" + i), manifest);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.list()).hasSize(8 * 25);
  }

  @Test
  void concurrentTagsFromProcessesAreAllKept() throws Exception {
    Descriptor manifest = TestImages.putUntagged(store, "shared");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> processes = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      processes.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  TagProcess.class.getName(),
                  root.toString(),
                  manifest.digest().toString(),
                  Long.toString(manifest.size()),
                  "p" + p,
                  "20")
              .redirectErrorStream(true)
              .start());
    }
    for (Process process : processes) {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(output).isZero();
    }
    assertThat(store.list()).hasSize(4 * 20);
  }

  private List<Path> blobFiles() throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("images/blobs/sha256"))) {
      return s.toList();
    }
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("images/tmp"))) {
      return s.toList();
    }
  }
}
