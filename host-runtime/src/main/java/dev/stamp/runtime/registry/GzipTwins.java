package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.image.BlobWriter;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.layer.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The gzip twin of each layer the store keeps as a plain tar ({@link MediaType#OCI_LAYER_TAR}, what
 * builds write: a rebuild compresses nothing), made when the image is pushed, as buildah does. The
 * twin is the tar through {@link Compression#GZIP} (fixed settings: level 6, mtime 0, no name), so
 * one tar gives the same blob on every root and the pushed manifest has the same digest wherever
 * the image was built. Each twin is written into the store once (hold the push's lease) and
 * remembered in {@code ROOT/push-twins/<tar hex>} ("digest size"); one {@code gc} deleted is made
 * again. Pushes of one process that need the same twin wait for one compression.
 */
final class GzipTwins {

  private static final Map<Path, CompletableFuture<Descriptor>> IN_FLIGHT =
      new ConcurrentHashMap<>();

  private final ImageStore store;
  private final Path records;

  GzipTwins(ImageStore store) {
    this.store = store;
    this.records = store.layout().resolveSibling("push-twins");
  }

  /**
   * {@code manifest} as it goes to a registry: each plain-tar layer replaced by its gzip twin (the
   * config, whose diff ids name the uncompressed tars, is the same); {@code manifest} itself when
   * it has none.
   */
  ImageManifest forPush(ImageManifest manifest, String action) throws HostRuntimeException {
    List<Descriptor> layers = new ArrayList<>();
    boolean changed = false;
    for (Descriptor layer : manifest.layers()) {
      if (MediaType.OCI_LAYER_TAR.equals(layer.mediaType())) {
        Descriptor twin = twin(layer.digest(), action);
        layers.add(
            new Descriptor(
                twin.mediaType(),
                twin.digest(),
                twin.size(),
                layer.urls(),
                layer.annotations(),
                null));
        changed = true;
      } else {
        layers.add(layer);
      }
    }
    return changed
        ? new ImageManifest(
            manifest.schemaVersion(),
            manifest.mediaType(),
            manifest.config(),
            layers,
            manifest.annotations())
        : manifest;
  }

  /** The remembered twin of a plain-tar {@code layer} still in the store, else null. */
  Descriptor known(Descriptor layer) throws HostRuntimeException {
    return MediaType.OCI_LAYER_TAR.equals(layer.mediaType())
        ? recorded(records.resolve(layer.digest().hex()))
        : null;
  }

  /** The twin of the tar {@code tar}: remembered, being made by another push, or made now. */
  Descriptor twin(Digest tar, String action) throws HostRuntimeException {
    Path record = records.resolve(tar.hex());
    Descriptor known = recorded(record);
    if (known != null) {
      return known;
    }
    CompletableFuture<Descriptor> mine = new CompletableFuture<>();
    CompletableFuture<Descriptor> running = IN_FLIGHT.putIfAbsent(record, mine);
    if (running != null) {
      return await(running, tar, action);
    }
    try {
      Descriptor twin = recorded(record);
      if (twin == null) {
        twin = compress(tar, record, action);
      }
      mine.complete(twin);
      return twin;
    } catch (HostRuntimeException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      IN_FLIGHT.remove(record, mine);
    }
  }

  private Descriptor compress(Digest tar, Path record, String action) throws HostRuntimeException {
    Descriptor twin;
    try (BlobWriter blob = store.blobWriter();
        InputStream in = store.openBlob(tar)) {
      // closing the gzip stream finishes it; the writer's stream stays usable until commit
      try (OutputStream gzip = Compression.GZIP.compress(blob.stream())) {
        in.transferTo(gzip);
      }
      twin = blob.commit(MediaType.OCI_LAYER_TAR_GZIP, null);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          action + ": compress layer " + tar.shortHex() + " for the registry: " + e.getMessage(),
          e);
    }
    try {
      Files.createDirectories(records);
      AtomicFiles.write(
          record, (twin.digest() + " " + twin.size()).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // only a memo: the next push compresses again
      Logs.of(GzipTwins.class).debug("remember gzip twin of {}: {}", tar, e.getMessage());
    }
    return twin;
  }

  /** The recorded twin when its blob is still in the store; null otherwise. */
  private Descriptor recorded(Path record) throws HostRuntimeException {
    String text;
    try {
      text = Files.readString(record, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return null; // none yet (or unreadable): made again
    }
    String[] parts = text.split(" ");
    if (parts.length != 2) {
      return null;
    }
    Digest digest;
    long size;
    try {
      digest = Digest.parse(parts[0]);
      size = Long.parseLong(parts[1]);
    } catch (HostRuntimeException | NumberFormatException e) {
      return null; // a damaged memo: made again
    }
    if (!store.hasBlob(digest) || store.blobSize(digest) != size) {
      return null;
    }
    return Descriptor.of(MediaType.OCI_LAYER_TAR_GZIP, digest, size);
  }

  private static Descriptor await(CompletableFuture<Descriptor> running, Digest tar, String action)
      throws HostRuntimeException {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HostRuntimeException.failed(
          action + ": interrupted while another push compressed layer " + tar.shortHex(), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HostRuntimeException h) {
        throw h;
      }
      throw HostRuntimeException.failed(
          action + ": compress layer " + tar.shortHex() + ": " + e.getCause(), e.getCause());
    }
  }
}
