package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.fs.LockFile;
import dev.stamp.runtime.fs.RootOperations;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacked layers at {@code ROOT/layers/sha256/<diff id hex>/}, each unpacked once and shared by
 * every image and container that stacks it as an overlayfs lowerdir. A layer appears atomically: it
 * is unpacked into {@code ROOT/layers/tmp-<random>/}, synced, then renamed into place; a concurrent
 * unpacker of the same layer loses the rename and deletes its copy.
 */
public final class LayerStore {

  private static final Logger LOG = LoggerFactory.getLogger(LayerStore.class);
  private static final Duration STALE_TEMP = Duration.ofHours(1);

  /** Names of temp dirs under {@code ROOT/layers} start with this (then the owner's tag). */
  public static final String TEMP_PREFIX = "tmp-";

  private final Path root;
  private final Path layers;
  private final ImageStore images;
  private final LockFile pruneLock;
  private final LayerUnpacker unpacker = new LayerUnpacker();

  private LayerStore(StampRoot stampRoot, ImageStore images) {
    this.root = stampRoot.path().resolve("layers");
    this.layers = root.resolve(Digest.SHA256);
    this.images = images;
    this.pruneLock = LockFile.of(stampRoot.path().resolve("locks").resolve("layers-prune.lock"));
  }

  public static LayerStore open(StampRoot root, ImageStore images) throws HostRuntimeException {
    LayerStore store = new LayerStore(root, images);
    try {
      Files.createDirectories(store.layers);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "open layer store " + store.root + ": " + e.getMessage(), e);
    }
    return store;
  }

  /** Where the layer with this diff id is (or would be) unpacked. */
  public Path path(Digest diffId) throws HostRuntimeException {
    if (!diffId.algorithm().equals(Digest.SHA256)) {
      throw HostRuntimeException.badInput("layer " + diffId + ": diff ids must be sha256");
    }
    return layers.resolve(diffId.hex());
  }

  public boolean has(Digest diffId) throws HostRuntimeException {
    return Files.isDirectory(path(diffId));
  }

  /** A lease: while held, {@link #prune} removes nothing (hold it from lowerDirs to mount). */
  public interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  public Lease lease() throws HostRuntimeException {
    try {
      LockFile.Held held = pruneLock.shared();
      return held::close;
    } catch (IOException e) {
      throw HostRuntimeException.failed("lock layer store " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * The unpacked layer directories of {@code image}, LOWEST FIRST (overlayfs's {@code lowerdir=}
   * option wants them the other way round: top first), unpacking whatever is missing. A layer that
   * occurs twice keeps only its upper occurrence (the lower one adds nothing and overlayfs refuses
   * a directory twice).
   */
  @SuppressWarnings("try") // a lock held for the block, never read
  public List<Path> lowerDirs(Image image) throws HostRuntimeException {
    try (Lease lease = lease()) {
      List<Path> dirs = new ArrayList<>();
      for (int i = 0; i < image.layers().size(); i++) {
        dirs.add(ensure(image.layers().get(i), image.diffIds().get(i)));
      }
      List<Path> unique = new ArrayList<>();
      Set<Path> seen = new HashSet<>();
      for (int i = dirs.size() - 1; i >= 0; i--) {
        if (seen.add(dirs.get(i))) {
          unique.add(0, dirs.get(i));
        }
      }
      return unique;
    }
  }

  /**
   * The overlayfs {@code lowerdir=} option for layer directories given LOWEST FIRST (as {@link
   * #lowerDirs} returns them): overlayfs wants the top layer first. Without an upperdir overlayfs
   * needs at least two lowerdirs. FAILED when the option would exceed the kernel's one-page limit.
   */
  public static String lowerdirOption(List<Path> lowestFirst) throws HostRuntimeException {
    StringBuilder option = new StringBuilder("lowerdir=");
    for (int i = lowestFirst.size() - 1; i >= 0; i--) {
      String dir = lowestFirst.get(i).toString();
      if (dir.contains(":") || dir.contains(",")) {
        throw HostRuntimeException.badInput(
            "overlay lowerdir " + dir + ": a layer path must not contain ':' or ','");
      }
      option.append(dir);
      if (i > 0) {
        option.append(':');
      }
    }
    if (option.length() >= 4096) {
      throw HostRuntimeException.failed(
          "overlay mount of "
              + lowestFirst.size()
              + " layers: the lowerdir option is "
              + option.length()
              + " bytes, over the kernel's 4096");
    }
    return option.toString();
  }

  /** The directory of one layer, unpacked from its blob if it is not there yet. */
  public Path ensure(Descriptor layer, Digest diffId) throws HostRuntimeException {
    Path target = path(diffId);
    if (Files.isDirectory(target)) {
      return target;
    }
    Path temp;
    try {
      // named after this process: a recovery pass removes it once this process is gone
      temp =
          root.resolve(
              TEMP_PREFIX + RootOperations.register(root.getParent()) + "-" + UUID.randomUUID());
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "unpack layer " + layer.digest() + ": register in " + root.getParent() + ": " + e, e);
    }
    try {
      Files.createDirectory(temp);
      try (InputStream blob = images.openBlob(layer.digest())) {
        LayerUnpacker.Result result = unpacker.unpack(blob, temp, layer.digest(), diffId);
        LOG.debug(
            "unpacked layer {} ({} entries, {} bytes)", diffId, result.entries(), result.bytes());
      }
      Posix.syncFilesystem(temp);
      install(temp, target);
      return target;
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "unpack layer " + layer.digest() + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(temp);
    }
  }

  private static void install(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.syncDirectory(target.getParent());
    } catch (IOException e) {
      if (!Files.isDirectory(target)) {
        throw e;
      }
      LOG.debug("layer {} was unpacked concurrently; keeping that copy", target.getFileName());
    }
  }

  /** Diff ids of every unpacked layer. */
  public Set<Digest> list() throws HostRuntimeException {
    Set<Digest> diffIds = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(layers)) {
      for (Path entry : entries) {
        try {
          diffIds.add(Digest.sha256(entry.getFileName().toString()));
        } catch (HostRuntimeException e) {
          // Not a layer directory: leave it alone.
        }
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed("list layers in " + layers + ": " + e.getMessage(), e);
    }
    return diffIds;
  }

  /**
   * Deletes unpacked layers that no image in the store references and {@code usage} does not report
   * in use, plus stale temp directories. Skipped while a {@link #lease()} is held.
   */
  public List<Digest> prune(LayerUsage usage) throws HostRuntimeException {
    try (LockFile.Held held = pruneLock.tryExclusive()) {
      if (held == null) {
        LOG.debug("layer prune skipped: a lease is held on {}", root);
        return List.of();
      }
      Set<Digest> keep = new HashSet<>(usage.diffIdsInUse());
      for (Image image : images.list()) {
        keep.addAll(image.diffIds());
      }
      List<Digest> deleted = new ArrayList<>();
      for (Digest diffId : list()) {
        if (!keep.contains(diffId)) {
          remove(diffId);
          deleted.add(diffId);
        }
      }
      sweepTemp(Instant.now().minus(STALE_TEMP));
      return deleted;
    } catch (IOException e) {
      throw HostRuntimeException.failed("prune layers in " + root + ": " + e.getMessage(), e);
    }
  }

  /** Renames the layer out of sight first, so a half-deleted layer is never used. */
  private void remove(Digest diffId) throws IOException, HostRuntimeException {
    Path doomed = root.resolve(TEMP_PREFIX + "rm-" + UUID.randomUUID());
    Files.move(path(diffId), doomed, StandardCopyOption.ATOMIC_MOVE);
    AtomicFiles.deleteTree(doomed);
  }

  private void sweepTemp(Instant cutoff) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, TEMP_PREFIX + "*")) {
      for (Path entry : entries) {
        if (Files.getLastModifiedTime(entry).toInstant().isBefore(cutoff)) {
          AtomicFiles.deleteTree(entry);
        }
      }
    }
  }

  private static void deleteQuietly(Path temp) {
    try {
      AtomicFiles.deleteTree(temp);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {} (prune removes it later)", temp, e.getMessage());
    }
  }
}
