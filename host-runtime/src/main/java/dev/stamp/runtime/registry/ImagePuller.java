package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageIndex;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.image.Platform;
import dev.stamp.runtime.linux.NativeSha256;
import dev.stamp.runtime.registry.TransferListener.Status;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;

/**
 * {@code stamp pull} and FROM resolution: fetches an image into the store and tags it. Mirrors of
 * the registry are tried first, then the registry itself. An index or manifest list resolves to the
 * wanted platform (linux/amd64 here). Blobs the store already has are not fetched; every fetched
 * byte is digest-verified on the way in. The tag is written last, so a pull that fails leaves no
 * tag and no partial blob (blobs completed before the failure stay as a cache until gc).
 */
public final class ImagePuller {

  private static Logger log() {
    return Logs.of(ImagePuller.class);
  }

  /**
   * On the index.json entry of an image pulled through an index (a multi-platform image): the
   * index's digest and the platform picked from it, so a repeated pull can tell from the index
   * digest alone that it has nothing to do.
   */
  public static final String PULLED_INDEX = "dev.stamp.pulled.index";

  public static final String PULLED_PLATFORM = "dev.stamp.pulled.platform";

  /** Blobs downloaded at the same time (Docker's default is 3). */
  static final int PARALLEL = 3;

  private final Registries registries;
  private final ImageStore store;
  private final Platform platform;

  public ImagePuller(Registries registries, ImageStore store) {
    this(registries, store, Platform.host());
  }

  public ImagePuller(Registries registries, ImageStore store, Platform platform) {
    this.registries = registries;
    this.store = store;
    this.platform = platform;
  }

  /** The image {@code ref} names: from the store when it is there, else pulled (FROM lines). */
  public Image resolveOrPull(ImageReference ref) throws HostRuntimeException {
    try {
      return store.resolve(ref.toString());
    } catch (HostRuntimeException e) {
      if (e.kind() != Kind.NOT_FOUND) {
        throw e;
      }
    }
    return pull(ref, TransferListener.NONE).image();
  }

  /** Pulls {@code ref} into the store and tags it {@code ref}. */
  public PullResult pull(ImageReference ref, TransferListener listener)
      throws HostRuntimeException {
    String action = "pull " + ref.familiar();
    List<RegistryEndpoint> endpoints = registries.pullEndpoints(ref.registry());
    if (store.taggedEntry(ref).isEmpty()) {
      // Not a no-op: the HTTP client builds while this thread goes on. (No JSON mapper to load
      // meanwhile: manifests and configs are read, and index.json written, by the streaming code.)
      registries.prepare(endpoints.get(0));
      NativeSha256.prepare(); // layers over 1 MiB hash through libcrypto: bound meanwhile too
    }
    List<String> mirrorFailures = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      RegistryEndpoint endpoint = endpoints.get(i);
      boolean last = i == endpoints.size() - 1;
      try {
        return pullFrom(endpoint, ref, action, listener);
      } catch (RegistryException e) {
        if (last) {
          throw withMirrorNotes(e, mirrorFailures);
        }
        log().warn("{} (mirror {}); trying the next source", e.getMessage(), endpoint);
        mirrorFailures.add(endpoint + ": " + e.registryMessage());
      }
    }
    throw new IllegalStateException("no endpoint for " + ref.registry());
  }

  /**
   * The image {@code ref} names as its registry (mirrors first) has it, without pulling its layers:
   * the manifest for this platform and its config (the config blob is fetched into the store when
   * missing; nothing is tagged). What a build plan needs to compute cache keys.
   */
  public Image inspect(ImageReference ref) throws HostRuntimeException {
    String action = "inspect " + ref.familiar();
    List<RegistryEndpoint> endpoints = registries.pullEndpoints(ref.registry());
    for (int i = 0; i < endpoints.size(); i++) {
      try {
        return inspectFrom(endpoints.get(i), ref, action);
      } catch (RegistryException e) {
        if (i == endpoints.size() - 1) {
          throw e;
        }
        log().warn("{} (mirror {}); trying the next source", e.getMessage(), endpoints.get(i));
      }
    }
    throw new IllegalStateException("no endpoint for " + ref.registry());
  }

  private Image inspectFrom(RegistryEndpoint endpoint, ImageReference ref, String action)
      throws HostRuntimeException {
    RegistryClient client = registries.pullClient(endpoint, ref.repository(), action);
    PulledManifest top =
        client.pullManifest(ref.digest() != null ? ref.digest().toString() : ref.tag());
    PulledManifest pulled = top.isIndex() ? pickPlatform(client, top, action) : top;
    ImageManifest manifest = pulled.manifest();
    try (ImageStore.Lease lease = store.lease()) {
      if (!store.hasBlob(manifest.config().digest())) {
        client.pullBlob(manifest.config(), store);
      }
      checkConfig(manifest, action);
      ImageConfig config = store.config(manifest.config().digest());
      return new Image(
          ref,
          pulled.digest(),
          manifest,
          manifest.config().digest(),
          config,
          manifest.layers(),
          config.diffIds());
    }
  }

  private PullResult pullFrom(
      RegistryEndpoint endpoint, ImageReference ref, String action, TransferListener listener)
      throws HostRuntimeException {
    RegistryClient client = registries.pullClient(endpoint, ref.repository(), action);
    Optional<PullResult> current = upToDate(client, endpoint, ref);
    if (current.isPresent()) {
      if (listener != TransferListener.NONE) {
        // Progress lines need the blob list: read from the store (no request, no blob read).
        for (BlobTransfer blob : current.get().blobs()) {
          listener.blob(blob.blob(), Status.EXISTS);
        }
      }
      return current.get();
    }
    PulledManifest top =
        client.pullManifest(ref.digest() != null ? ref.digest().toString() : ref.tag());
    PulledManifest pulled = top.isIndex() ? pickPlatform(client, top, action) : top;
    ImageManifest manifest = pulled.manifest();
    List<BlobTransfer> transfers;
    try (ImageStore.Lease lease = store.lease()) {
      List<Descriptor> blobs = new ArrayList<>();
      blobs.add(manifest.config());
      blobs.addAll(manifest.layers());
      transfers = fetchAll(client, blobs, listener);
      checkConfig(manifest, action);
      Descriptor stored = store.putBlob(pulled.mediaType(), pulled.bytes());
      store.tag(
          ref,
          stored,
          top.isIndex()
              ? Map.of(PULLED_INDEX, top.digest().toString(), PULLED_PLATFORM, platform.toString())
              : Map.of());
    }
    return PullResult.fetched(store, ref, top.digest(), endpoint, transfers);
  }

  /**
   * The no-op pull: when the store's entry for {@code ref} was pulled as the manifest (or index)
   * the registry names now, nothing else is asked and no blob is touched. A tag costs one {@code
   * HEAD} of its manifest; a digest nothing (content named by digest cannot change). Blobs of a
   * tagged entry stay in the store (gc keeps what index.json reaches).
   */
  private Optional<PullResult> upToDate(
      RegistryClient client, RegistryEndpoint endpoint, ImageReference ref)
      throws HostRuntimeException {
    Optional<Descriptor> entry = store.taggedEntry(ref);
    if (entry.isEmpty() || !store.hasBlob(entry.get().digest())) {
      return Optional.empty();
    }
    Digest local = entry.get().digest();
    String index = entry.get().annotation(PULLED_INDEX);
    if (index != null) {
      if (!platform.toString().equals(entry.get().annotation(PULLED_PLATFORM))) {
        return Optional.empty();
      }
      local = Digest.parse(index);
    }
    Digest remote = ref.digest();
    if (remote == null) {
      try {
        remote = client.manifestDigest(ref.tag()).orElse(null);
      } catch (RegistryException e) {
        // A registry that refuses HEAD (or fails it) is asked with GET, which reports errors.
        log().debug("{}; asking with GET", e.getMessage());
        return Optional.empty();
      }
    }
    if (!local.equals(remote)) {
      return Optional.empty();
    }
    return Optional.of(PullResult.upToDate(store, ref, remote, endpoint));
  }

  /** The manifest for our platform from an index (fetched by digest, verified). */
  private PulledManifest pickPlatform(RegistryClient client, PulledManifest top, String action)
      throws HostRuntimeException {
    ImageIndex index = top.index();
    Optional<Descriptor> entry = index.forPlatform(platform);
    if (entry.isEmpty()) {
      List<String> offered = new ArrayList<>();
      for (Descriptor d : index.manifests()) {
        offered.add(d.platform() == null ? "(no platform)" : d.platform().toString());
      }
      throw HostRuntimeException.notFound(
          action + ": no manifest for " + platform + " in the index (it has " + offered + ")");
    }
    PulledManifest child = client.pullManifest(entry.get().digest().toString());
    if (!MediaType.isManifest(child.mediaType())) {
      throw HostRuntimeException.failed(
          action
              + ": the index entry for "
              + platform
              + " is a "
              + child.mediaType()
              + ", not an image manifest");
    }
    return child;
  }

  /**
   * Fetches the blobs the store lacks, up to {@link #PARALLEL} at a time. On the first failure the
   * other downloads are interrupted and awaited (their temp files gone) before it is thrown.
   */
  private List<BlobTransfer> fetchAll(
      RegistryClient client, List<Descriptor> blobs, TransferListener listener)
      throws HostRuntimeException {
    List<BlobTransfer> transfers = new ArrayList<>();
    List<Descriptor> missing = new ArrayList<>();
    for (Descriptor blob : new LinkedHashSet<>(blobs)) {
      boolean present = store.hasBlob(blob.digest());
      transfers.add(new BlobTransfer(blob, present ? Status.EXISTS : Status.PULLED));
      if (present) {
        listener.blob(blob, Status.EXISTS);
      } else {
        missing.add(blob);
      }
    }
    if (missing.isEmpty()) {
      return transfers;
    }
    ExecutorService pool = BlobTasks.pool("stamp-pull", PARALLEL, missing.size());
    try {
      CompletionService<Void> downloads = new ExecutorCompletionService<>(pool);
      for (Descriptor blob : missing) {
        downloads.submit(
            () -> {
              client.pullBlob(blob, store);
              listener.blob(blob, Status.PULLED);
              return null;
            });
      }
      for (int done = 0; done < missing.size(); done++) {
        BlobTasks.awaitNext(downloads, "pull");
      }
      return transfers;
    } finally {
      pool.shutdownNow();
      BlobTasks.awaitTermination(pool, "blob downloads", "pull", log());
    }
  }

  /** The config must parse and list one diff id per layer, before anything is tagged. */
  private void checkConfig(ImageManifest manifest, String action) throws HostRuntimeException {
    Digest digest = manifest.config().digest();
    ImageConfig config = store.config(digest);
    if (config.diffIds().size() != manifest.layers().size()) {
      throw HostRuntimeException.failed(
          action
              + ": the manifest lists "
              + manifest.layers().size()
              + " layers but its config "
              + digest.shortHex()
              + " has "
              + config.diffIds().size()
              + " diff ids");
    }
  }

  private static RegistryException withMirrorNotes(RegistryException e, List<String> failures) {
    if (failures.isEmpty()) {
      return e;
    }
    return e.withNote("(mirrors tried first: " + String.join("; ", failures) + ")");
  }
}
