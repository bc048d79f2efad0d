package dev.stamp.runtime.image;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.fs.LockFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local image store: an OCI image layout at {@code ROOT/images} ({@code oci-layout}, {@code
 * index.json}, {@code blobs/sha256/}) that skopeo and umoci read as is. Blobs are written
 * atomically and verified on read; {@code index.json} is replaced atomically under an exclusive
 * lock, so concurrent {@code stamp} processes never lose a tag. Each index entry names its image
 * with {@code org.opencontainers.image.ref.name} = the full reference.
 *
 * <p>Blobs nothing references are deleted by {@link #gc()}, which only runs when no writer holds a
 * {@link #lease()}: wrap a multi-step write (pull, import, build) in one so its blobs survive until
 * it tags them.
 */
public final class ImageStore {

  /** Looked up when something is logged: initialising logging costs a short command ~0.1 s. */
  private static Logger log() {
    return LoggerFactory.getLogger(ImageStore.class);
  }

  private static final Pattern HEX_PREFIX = Pattern.compile("(?:sha256:)?([0-9a-f]{4,64})");
  private static final Pattern FULL_DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Duration STALE_TEMP = Duration.ofHours(1);

  /** What {@code ImageJson.write(ImageIndex.of(List.of()))} gives, without loading the mapper. */
  static final byte[] EMPTY_INDEX =
      ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_INDEX + "\",\"manifests\":[]}")
          .getBytes(StandardCharsets.UTF_8);

  private static final byte[] OCI_LAYOUT =
      "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

  private final Path layout;
  private final BlobStore blobs;
  private final LockFile indexLock;
  private final LockFile gcLock;
  private final Map<Digest, Object> parsed = new ConcurrentHashMap<>();

  private ImageStore(Path layout, Path locks) {
    this.layout = layout;
    this.blobs = new BlobStore(layout);
    this.indexLock = LockFile.of(locks.resolve("images-index.lock"));
    this.gcLock = LockFile.of(locks.resolve("images-gc.lock"));
  }

  /** Opens (creating when missing) the store under {@code root}. */
  public static ImageStore open(StampRoot root) throws HostRuntimeException {
    ImageStore store = new ImageStore(root.path().resolve("images"), root.path().resolve("locks"));
    store.create();
    return store;
  }

  /** The OCI layout directory ({@code ROOT/images}). */
  public Path layout() {
    return layout;
  }

  @SuppressWarnings("try") // a lock held for the block, never read
  private void create() throws HostRuntimeException {
    try {
      blobs.create();
      if (!Files.exists(layout.resolve("oci-layout"))) {
        AtomicFiles.write(layout.resolve("oci-layout"), OCI_LAYOUT);
      }
      if (!Files.exists(layout.resolve("index.json"))) {
        try (LockFile.Held held = indexLock.exclusive()) {
          if (!Files.exists(layout.resolve("index.json"))) {
            AtomicFiles.write(layout.resolve("index.json"), EMPTY_INDEX);
          }
        }
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed("open image store " + layout + ": " + e.getMessage(), e);
    }
  }

  // --- leases ---

  /** A lease: while held, {@link #gc()} deletes nothing (hold it from first blob to tag). */
  public interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  public Lease lease() throws HostRuntimeException {
    try {
      // a writer is an operation on the root: a kill -9 leaves a trace the recovery pass follows
      dev.stamp.runtime.fs.RootOperations.register(layout.getParent());
      LockFile.Held held = gcLock.shared();
      return held::close;
    } catch (IOException e) {
      throw HostRuntimeException.failed("lock image store " + layout + ": " + e.getMessage(), e);
    }
  }

  // --- blobs ---

  /** A writer for one blob (commit it, or close it to discard). Hold a {@link #lease()}. */
  public BlobWriter blobWriter() throws HostRuntimeException {
    return blobs.writer();
  }

  /**
   * Stores {@code content} as a blob; with {@code expected} non-null, the content must hash to it
   * (FAILED otherwise, nothing stored) and an already stored blob is not read again.
   */
  @SuppressWarnings("try") // a lock held for the block, never read
  public Descriptor putBlob(String mediaType, InputStream content, Digest expected)
      throws HostRuntimeException {
    try (Lease lease = lease()) {
      if (expected != null && blobs.has(expected)) {
        return Descriptor.of(mediaType, expected, blobs.size(expected));
      }
      try (BlobWriter writer = blobs.writer()) {
        content.transferTo(writer.stream());
        return writer.commit(mediaType, expected);
      } catch (IOException e) {
        throw HostRuntimeException.failed(
            "store blob" + (expected == null ? "" : " " + expected) + ": " + e.getMessage(), e);
      }
    }
  }

  /** Stores {@code bytes} exactly as given. */
  public Descriptor putBlob(String mediaType, byte[] bytes) throws HostRuntimeException {
    return putBlob(mediaType, new java.io.ByteArrayInputStream(bytes), Digest.of(bytes));
  }

  public boolean hasBlob(Digest digest) throws HostRuntimeException {
    return blobs.has(digest);
  }

  public long blobSize(Digest digest) throws HostRuntimeException {
    return blobs.size(digest);
  }

  /**
   * The blob's bytes; the stream throws {@link BlobCorruptedException} at its end if they do not
   * match the digest. NOT_FOUND when the store has no such blob.
   */
  public InputStream openBlob(Digest digest) throws HostRuntimeException {
    return blobs.open(digest);
  }

  /**
   * The blob's file, for readers that send it as is to a party that checks the digest itself (a
   * registry's upload): no verification on this side. NOT_FOUND when the store has no such blob.
   */
  public Path blobFile(Digest digest) throws HostRuntimeException {
    Path file = blobs.path(digest);
    if (!Files.isRegularFile(file)) {
      throw HostRuntimeException.notFound("blob " + digest + " is not in the image store");
    }
    return file;
  }

  /** A small blob, whole and verified (FAILED naming the digest when corrupted). */
  public byte[] readBlob(Digest digest) throws HostRuntimeException {
    return blobs.read(digest);
  }

  /** Copies a blob to {@code out}, verified. */
  public void copyBlob(Digest digest, OutputStream out) throws HostRuntimeException {
    try (InputStream in = blobs.open(digest)) {
      in.transferTo(out);
    } catch (IOException e) {
      throw HostRuntimeException.failed("read blob " + digest + ": " + e.getMessage(), e);
    }
  }

  /** Stores {@code config} serialised canonically (OCI media type). */
  public Descriptor putConfig(ImageConfig config) throws HostRuntimeException {
    return putBlob(MediaType.OCI_CONFIG, ImageJson.write(config));
  }

  /** Stores {@code manifest} serialised canonically, with its own media type. */
  public Descriptor putManifest(ImageManifest manifest) throws HostRuntimeException {
    return putBlob(manifest.mediaType(), ImageJson.write(manifest));
  }

  /** The manifest stored under {@code digest} (verified, parsed once per store object). */
  public ImageManifest manifest(Digest digest) throws HostRuntimeException {
    return parse(digest, ImageManifest.class, "manifest");
  }

  public ImageIndex index(Digest digest) throws HostRuntimeException {
    return parse(digest, ImageIndex.class, "image index");
  }

  public ImageConfig config(Digest digest) throws HostRuntimeException {
    return parse(digest, ImageConfig.class, "image config");
  }

  private <T> T parse(Digest digest, Class<T> type, String what) throws HostRuntimeException {
    Object cached = parsed.get(digest);
    if (type.isInstance(cached)) {
      return type.cast(cached);
    }
    T value = ImageJson.read(blobs.read(digest), type, what + " " + digest);
    parsed.put(digest, value);
    return value;
  }

  // --- references ---

  /** Points {@code ref} at a stored manifest (or index), replacing what it pointed at. */
  public void tag(ImageReference ref, Descriptor manifest) throws HostRuntimeException {
    tag(ref, manifest, Map.of());
  }

  /**
   * Points {@code ref} at a stored manifest (or index) and records {@code annotations} (besides the
   * reference name) on its index.json entry, replacing what it pointed at.
   */
  public void tag(ImageReference ref, Descriptor manifest, Map<String, String> annotations)
      throws HostRuntimeException {
    if (!MediaType.isManifest(manifest.mediaType()) && !MediaType.isIndex(manifest.mediaType())) {
      throw HostRuntimeException.badInput(
          "tag "
              + ref
              + ": "
              + manifest.digest()
              + " is a "
              + manifest.mediaType()
              + ", not a manifest");
    }
    if (!blobs.has(manifest.digest())) {
      throw HostRuntimeException.notFound(
          "tag " + ref + ": manifest " + manifest.digest() + " is not in the image store");
    }
    Descriptor entry =
        Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.size())
            .withPlatform(manifest.platform())
            .withAnnotations(withRefName(annotations, ref));
    updateIndex(
        index -> {
          List<Descriptor> entries = new ArrayList<>();
          for (Descriptor d : index.manifests()) {
            if (!ref.toString().equals(d.annotation(Descriptor.REF_NAME))) {
              entries.add(d);
            }
          }
          entries.add(entry);
          return withEntries(index, entries);
        });
  }

  private static Map<String, String> withRefName(
      Map<String, String> annotations, ImageReference ref) {
    Map<String, String> all = new java.util.TreeMap<>(annotations);
    all.put(Descriptor.REF_NAME, ref.toString());
    return all;
  }

  /**
   * The index.json entry named exactly {@code ref} (its full reference), read without building any
   * image: a streaming scan of index.json, cheap enough for a no-op pull in a fresh process.
   */
  public java.util.Optional<Descriptor> taggedEntry(ImageReference ref)
      throws HostRuntimeException {
    Path file = layout.resolve("index.json");
    try {
      return IndexScan.find(Files.readAllBytes(file), ref.toString());
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Adds {@code target} as a new name of the image {@code source} resolves to. */
  public Image tag(String source, ImageReference target) throws HostRuntimeException {
    Image image = resolve(source);
    Descriptor manifest = entryFor(image);
    tag(target, manifest);
    return image.withReference(target);
  }

  /**
   * Removes the name {@code ref}; NOT_FOUND when it names nothing. Blobs stay until {@link #gc}.
   */
  public void untag(ImageReference ref) throws HostRuntimeException {
    boolean[] found = {false};
    updateIndex(
        index -> {
          List<Descriptor> entries = new ArrayList<>();
          for (Descriptor d : index.manifests()) {
            if (ref.toString().equals(d.annotation(Descriptor.REF_NAME))) {
              found[0] = true;
            } else {
              entries.add(d);
            }
          }
          return withEntries(index, entries);
        });
    if (!found[0]) {
      throw noSuchImage(ref.familiar());
    }
  }

  /**
   * The image named by {@code text}: a reference ({@code busybox}, {@code
   * docker.io/library/busybox:latest}, {@code name@sha256:…}), a manifest or config digest, or an
   * unambiguous prefix (4+ hex) of an image id. NOT_FOUND {@code no such image: busybox:latest}.
   */
  public Image resolve(String text) throws HostRuntimeException {
    return find(text).image();
  }

  /**
   * The index.json entry {@code ref} names (a manifest or a multi-platform index, as tagged), for
   * callers that need the tagged object itself rather than the host's image (push).
   */
  public java.util.Optional<Descriptor> entry(ImageReference ref) throws HostRuntimeException {
    for (Descriptor entry : readIndex().manifests()) {
      if (matches(ref, entry)) {
        return java.util.Optional.of(entry);
      }
    }
    return java.util.Optional.empty();
  }

  /** Every named image, one per reference, sorted by reference. */
  public List<Image> list() throws HostRuntimeException {
    List<Image> images = new ArrayList<>();
    for (Descriptor entry : readIndex().manifests()) {
      images.add(load(entry));
    }
    return images;
  }

  /** What {@link #remove} did. */
  public record Removal(List<ImageReference> untagged, List<Digest> deleted) {}

  /**
   * {@code rmi}: a name is untagged; an id or digest removes every name of that image, which needs
   * {@code force} when there are several. Then unreferenced blobs are collected.
   */
  public Removal remove(String text, boolean force) throws HostRuntimeException {
    Match match = find(text);
    List<ImageReference> names = new ArrayList<>();
    if (match.byName()) {
      names.add(match.image().reference());
    } else {
      for (Descriptor entry : readIndex().manifests()) {
        Image other = load(entry);
        if (other.configDigest().equals(match.image().configDigest())
            || other.manifestDigest().equals(match.image().manifestDigest())) {
          names.add(other.reference());
        }
      }
      if (names.size() > 1 && !force) {
        throw HostRuntimeException.conflict(
            "remove image "
                + text
                + ": it has "
                + names.size()
                + " names ("
                + String.join(", ", names.stream().map(ImageReference::familiar).toList())
                + "); remove them by name or use -f");
      }
    }
    for (ImageReference name : names) {
      untag(name);
    }
    return new Removal(names, gc());
  }

  /**
   * Deletes blobs no index entry reaches, and stale temp files. Skipped (returns nothing) while a
   * {@link #lease()} is held anywhere; the next collection catches up.
   */
  public List<Digest> gc() throws HostRuntimeException {
    try (LockFile.Held held = gcLock.tryExclusive()) {
      if (held == null) {
        log().debug("image gc skipped: a writer holds a lease on {}", layout);
        return List.of();
      }
      Set<Digest> live = reachable();
      List<Digest> deleted = new ArrayList<>();
      for (Digest digest : blobs.list()) {
        if (!live.contains(digest)) {
          blobs.delete(digest);
          parsed.remove(digest);
          deleted.add(digest);
        }
      }
      blobs.sweepTemp(Instant.now().minus(STALE_TEMP));
      return deleted;
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "collect image blobs in " + layout + ": " + e.getMessage(), e);
    }
  }

  /** Blobs no index entry reaches: what {@link #gc()} would delete (for {@code system check}). */
  public List<Digest> unreferenced() throws HostRuntimeException {
    try {
      Set<Digest> live = reachable();
      return blobs.list().stream().filter(d -> !live.contains(d)).toList();
    } catch (IOException e) {
      throw HostRuntimeException.failed("list image blobs in " + layout + ": " + e.getMessage(), e);
    }
  }

  private Set<Digest> reachable() throws HostRuntimeException {
    Set<Digest> live = new TreeSet<>();
    for (Descriptor entry : readIndex().manifests()) {
      markReachable(entry, live);
    }
    return live;
  }

  private void markReachable(Descriptor d, Set<Digest> live) throws HostRuntimeException {
    if (!live.add(d.digest()) || !blobs.has(d.digest())) {
      return;
    }
    if (MediaType.isIndex(d.mediaType())) {
      for (Descriptor child : index(d.digest()).manifests()) {
        markReachable(child, live);
      }
    } else if (MediaType.isManifest(d.mediaType())) {
      ImageManifest m = manifest(d.digest());
      live.add(m.config().digest());
      for (Descriptor layer : m.layers()) {
        live.add(layer.digest());
      }
    }
  }

  // --- resolution ---

  private record Match(Image image, boolean byName) {}

  private Match find(String text) throws HostRuntimeException {
    ImageIndex index = readIndex();
    if (text != null && FULL_DIGEST.matcher(text).matches()) {
      Digest digest = Digest.parse(text);
      for (Descriptor entry : index.manifests()) {
        Image image = load(entry);
        if (image.manifestDigest().equals(digest)
            || image.configDigest().equals(digest)
            || entry.digest().equals(digest)) {
          return new Match(image, false);
        }
      }
      throw noSuchImage(text);
    }
    ImageReference ref = null;
    HostRuntimeException invalid = null;
    try {
      ref = ImageReference.parse(text);
    } catch (HostRuntimeException e) {
      invalid = e;
    }
    if (ref != null) {
      for (Descriptor entry : index.manifests()) {
        if (matches(ref, entry)) {
          return new Match(load(entry).withReference(ref), true);
        }
      }
    }
    var hex = text == null ? null : HEX_PREFIX.matcher(text);
    if (hex != null && hex.matches()) {
      Image byId = findByIdPrefix(index, hex.group(1), text);
      if (byId != null) {
        return new Match(byId, false);
      }
    }
    if (invalid != null) {
      throw invalid;
    }
    throw noSuchImage(ref.familiar());
  }

  /** Same full reference, or (for {@code name@digest}) same name and manifest digest. */
  private static boolean matches(ImageReference ref, Descriptor entry) throws HostRuntimeException {
    String name = entry.annotation(Descriptor.REF_NAME);
    if (name == null) {
      return false;
    }
    if (ref.toString().equals(name)) {
      return true;
    }
    return ref.digest() != null
        && entry.digest().equals(ref.digest())
        && ImageReference.parse(name).name().equals(ref.name());
  }

  private Image findByIdPrefix(ImageIndex index, String prefix, String text)
      throws HostRuntimeException {
    Map<Digest, Image> candidates = new java.util.TreeMap<>();
    for (Descriptor entry : index.manifests()) {
      Image image = load(entry);
      if (image.configDigest().hex().startsWith(prefix)) {
        candidates.putIfAbsent(image.configDigest(), image);
      }
    }
    if (candidates.size() > 1) {
      throw HostRuntimeException.badInput(
          "image id prefix \""
              + text
              + "\" is ambiguous: it matches "
              + String.join(", ", candidates.keySet().stream().map(Digest::shortHex).toList()));
    }
    return candidates.isEmpty() ? null : candidates.values().iterator().next();
  }

  /** The image an index entry names (a multi-platform index resolves to this host's platform). */
  private Image load(Descriptor entry) throws HostRuntimeException {
    ImageReference ref = referenceOf(entry);
    Digest manifestDigest = entry.digest();
    if (MediaType.isIndex(entry.mediaType())) {
      Platform host = Platform.host();
      manifestDigest =
          index(entry.digest())
              .forPlatform(host)
              .orElseThrow(
                  () ->
                      HostRuntimeException.notFound(
                          "image " + label(entry) + " has no manifest for " + host))
              .digest();
    }
    ImageManifest manifest = manifest(manifestDigest);
    ImageConfig config = config(manifest.config().digest());
    if (manifest.layers().size() != config.diffIds().size()) {
      throw HostRuntimeException.failed(
          "image "
              + label(entry)
              + ": manifest "
              + manifestDigest
              + " lists "
              + manifest.layers().size()
              + " layers but its config has "
              + config.diffIds().size()
              + " diff ids");
    }
    return new Image(
        ref,
        manifestDigest,
        manifest,
        manifest.config().digest(),
        config,
        manifest.layers(),
        config.diffIds());
  }

  private static String label(Descriptor entry) {
    String name = entry.annotation(Descriptor.REF_NAME);
    return name == null ? entry.digest().toString() : name;
  }

  private static ImageReference referenceOf(Descriptor entry) throws HostRuntimeException {
    String name = entry.annotation(Descriptor.REF_NAME);
    if (name == null) {
      return null;
    }
    return ImageReference.parse(name);
  }

  private Descriptor entryFor(Image image) throws HostRuntimeException {
    for (Descriptor entry : readIndex().manifests()) {
      if (entry.digest().equals(image.manifestDigest())) {
        return Descriptor.of(entry.mediaType(), entry.digest(), entry.size());
      }
    }
    String mediaType =
        image.manifest().mediaType() == null
            ? MediaType.OCI_MANIFEST
            : image.manifest().mediaType();
    return Descriptor.of(mediaType, image.manifestDigest(), blobs.size(image.manifestDigest()));
  }

  private static HostRuntimeException noSuchImage(String what) {
    return HostRuntimeException.notFound("no such image: " + what);
  }

  // --- index.json ---

  private ImageIndex readIndex() throws HostRuntimeException {
    Path file = layout.resolve("index.json");
    try {
      return ImageJson.read(
          Files.readAllBytes(file), ImageIndex.class, "image store index " + file);
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + file + ": " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("try") // a lock held for the block, never read
  private void updateIndex(UnaryOperator<ImageIndex> change) throws HostRuntimeException {
    try (LockFile.Held held = indexLock.exclusive()) {
      writeIndex(change.apply(readIndex()));
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "update " + layout.resolve("index.json") + ": " + e.getMessage(), e);
    }
  }

  private void writeIndex(ImageIndex index) throws IOException {
    AtomicFiles.write(layout.resolve("index.json"), ImageJson.write(index));
  }

  private static ImageIndex withEntries(ImageIndex index, List<Descriptor> entries) {
    List<Descriptor> sorted = new ArrayList<>(new LinkedHashSet<>(entries));
    sorted.sort(
        java.util.Comparator.comparing(
            (Descriptor d) -> String.valueOf(d.annotation(Descriptor.REF_NAME))));
    return new ImageIndex(2, MediaType.OCI_INDEX, sorted, index.annotations());
  }
}
