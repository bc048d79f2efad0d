package dev.stamp.builder.engine;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build cache: {@code ROOT/build-cache/<key>.json} maps a step's cache key to the layer it
 * produced (blob descriptor, diff id, uncompressed size). A step's key is the sha256 of its parent
 * key and the step's exact inputs ({@link #key}); a record whose blob the store no longer has is a
 * miss. Records are written atomically; a damaged one is a miss.
 */
public final class BuildCache {

  private static final Logger LOG = LoggerFactory.getLogger(BuildCache.class);

  /** A cached layer. */
  public record Entry(Descriptor layer, Digest diffId, long size) {}

  private final Path dir;
  private final ImageStore store;

  private BuildCache(Path dir, ImageStore store) {
    this.dir = dir;
    this.store = store;
  }

  public static BuildCache open(StampRoot root, ImageStore store) throws IOException {
    Path dir = root.path().resolve("build-cache");
    Files.createDirectories(dir);
    return new BuildCache(dir, store);
  }

  /** Persistent directories for {@code RUN --mount=type=cache}, by id. */
  public Path cacheMountDir(String id) throws IOException {
    Path mount = dir.resolve("mounts").resolve(key("cache-mount", id));
    Files.createDirectories(mount);
    return mount;
  }

  /** sha256 (hex) of the parts, each length-prefixed so no two part lists collide. */
  public static String key(String... parts) {
    MessageDigest md = Digest.sha256();
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      md.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
      md.update(bytes);
    }
    return Digest.of(md).hex();
  }

  public Optional<Entry> get(String key) {
    Path file = dir.resolve(key + ".json");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Entry entry = ImageJson.mapper().readValue(Files.readAllBytes(file), Entry.class);
      if (!store.hasBlob(entry.layer().digest())) {
        return Optional.empty();
      }
      return Optional.of(entry);
    } catch (IOException | dev.stamp.runtime.HostRuntimeException | RuntimeException e) {
      LOG.warn("build cache record {} unreadable ({}); treating it as a miss", file, e.toString());
      return Optional.empty();
    }
  }

  public void put(String key, Entry entry) throws IOException {
    AtomicFiles.write(dir.resolve(key + ".json"), ImageJson.mapper().writeValueAsBytes(entry));
  }
}
