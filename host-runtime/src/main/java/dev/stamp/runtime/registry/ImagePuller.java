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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code stamp pull} and FROM resolution: fetches an image into the store and tags it. Mirrors of
 * the registry are tried first, then the registry itself. An index or manifest list resolves to the
 * wanted platform (linux/amd64 here). Blobs the store already has are not fetched; every fetched
 * byte is digest-verified on the way in. The tag is written last, so a pull that fails leaves no
 * tag and no partial blob (blobs completed before the failure stay as a cache until gc).
 */
public final class ImagePuller {

  private static final Logger LOG = LoggerFactory.getLogger(ImagePuller.class);

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
        LOG.warn("{} (mirror {}); trying the next source", e.getMessage(), endpoint);
        mirrorFailures.add(endpoint + ": " + e.registryMessage());
      }
    }
    throw new IllegalStateException("no endpoint for " + ref.registry());
  }

  private PullResult pullFrom(
      RegistryEndpoint endpoint, ImageReference ref, String action, TransferListener listener)
      throws HostRuntimeException {
    RegistryClient client = registries.pullClient(endpoint, ref.repository(), action);
    PulledManifest top =
        client.pullManifest(ref.digest() != null ? ref.digest().toString() : ref.tag());
    PulledManifest pulled = top.isIndex() ? pickPlatform(client, top, action) : top;
    ImageManifest manifest = pulled.manifest();
    List<BlobTransfer> transfers = new ArrayList<>();
    try (ImageStore.Lease lease = store.lease()) {
      List<Descriptor> blobs = new ArrayList<>();
      blobs.add(manifest.config());
      blobs.addAll(manifest.layers());
      for (Descriptor blob : blobs) {
        transfers.add(fetch(client, blob, listener));
      }
      checkConfig(manifest, action);
      Descriptor stored = store.putBlob(pulled.mediaType(), pulled.bytes());
      store.tag(ref, stored);
    }
    Image image = store.resolve(ref.toString());
    return new PullResult(image, top.digest(), endpoint, transfers);
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

  private BlobTransfer fetch(RegistryClient client, Descriptor blob, TransferListener listener)
      throws HostRuntimeException {
    TransferListener.Status status;
    if (store.hasBlob(blob.digest())) {
      status = TransferListener.Status.EXISTS;
    } else {
      if (blob.urls() != null && !blob.urls().isEmpty()) {
        LOG.debug("blob {} lists foreign urls; fetching it from the registry", blob.digest());
      }
      client.pullBlob(blob, store);
      status = TransferListener.Status.PULLED;
    }
    listener.blob(blob, status);
    return new BlobTransfer(blob, status);
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
