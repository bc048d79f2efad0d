package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code stamp push}: uploads the image a local name points at to the registry that name names.
 * Each blob is first checked ({@code HEAD}); a missing one is mounted from another repository of
 * the same registry when a local image of that repository holds it (a wrong guess costs one
 * request: the registry opens an upload instead), else uploaded. Manifests go last, children of an
 * index before the index, so the registry never sees a manifest whose blobs it lacks.
 */
public final class ImagePusher {

  /** Looked up when something is logged: initialising logging costs a short command ~0.1 s. */
  private static Logger log() {
    return LoggerFactory.getLogger(ImagePusher.class);
  }

  private final Registries registries;
  private final ImageStore store;

  public ImagePusher(Registries registries, ImageStore store) {
    this.registries = registries;
    this.store = store;
  }

  public PushResult push(ImageReference ref, TransferListener listener)
      throws HostRuntimeException {
    String action = "push " + ref.familiar();
    Descriptor entry =
        store
            .entry(ref)
            .orElseThrow(
                () ->
                    HostRuntimeException.notFound(
                        action
                            + ": no such image: "
                            + ref.familiar()
                            + " (tag one with that name)"));
    Map<Digest, String> mountHints = mountHints(ref);
    RegistryClient client =
        registries.pushClient(
            ref.registry(), ref.repository(), new HashSet<>(mountHints.values()), action);
    Upload upload = new Upload(client, mountHints, listener, action);
    String reference = ref.tag() != null ? ref.tag() : ref.digest().toString();
    Digest digest;
    try (ImageStore.Lease lease = store.lease()) {
      if (MediaType.isIndex(entry.mediaType())) {
        for (Descriptor child : store.index(entry.digest()).manifests()) {
          requireManifest(child, entry, action);
          upload.image(child.digest(), child.mediaType(), child.digest().toString());
        }
        digest = upload.manifest(entry.digest(), entry.mediaType(), reference);
      } else {
        digest = upload.image(entry.digest(), entry.mediaType(), reference);
      }
    }
    return new PushResult(ref, digest, store.blobSize(entry.digest()), upload.transfers);
  }

  private void requireManifest(Descriptor child, Descriptor index, String action)
      throws HostRuntimeException {
    if (!MediaType.isManifest(child.mediaType()) || !store.hasBlob(child.digest())) {
      throw HostRuntimeException.failed(
          action
              + ": the index "
              + index.digest().shortHex()
              + " lists "
              + child.digest()
              + (child.platform() == null ? "" : " for " + child.platform())
              + ", which is not an image manifest in the image store");
    }
  }

  /** Blob digest → another repository of the same registry a local image of it holds it in. */
  private Map<Digest, String> mountHints(ImageReference target) {
    Map<Digest, String> hints = new HashMap<>();
    try {
      for (Image image : store.list()) {
        ImageReference name = image.reference();
        if (name == null
            || !name.registry().equals(target.registry())
            || name.repository().equals(target.repository())) {
          continue;
        }
        hints.putIfAbsent(image.configDigest(), name.repository());
        for (Descriptor layer : image.layers()) {
          hints.putIfAbsent(layer.digest(), name.repository());
        }
      }
    } catch (HostRuntimeException e) {
      log().debug("no mount hints for {}: {}", target, e.getMessage());
    }
    return hints;
  }

  /** The blobs and manifests of one push. */
  private final class Upload {
    private final RegistryClient client;
    private final Map<Digest, String> mountHints;
    private final TransferListener listener;
    private final String action;
    private final Set<Digest> done = new LinkedHashSet<>();
    private final List<BlobTransfer> transfers = new ArrayList<>();

    Upload(
        RegistryClient client,
        Map<Digest, String> mountHints,
        TransferListener listener,
        String action) {
      this.client = client;
      this.mountHints = mountHints;
      this.listener = listener;
      this.action = action;
    }

    /** Layers, then config, then the manifest under {@code reference}. */
    Digest image(Digest manifestDigest, String mediaType, String reference)
        throws HostRuntimeException {
      ImageManifest manifest = store.manifest(manifestDigest);
      for (Descriptor layer : manifest.layers()) {
        blob(layer);
      }
      blob(manifest.config());
      return manifest(manifestDigest, mediaType, reference);
    }

    Digest manifest(Digest digest, String mediaType, String reference) throws HostRuntimeException {
      return client.pushManifest(reference, mediaType, store.readBlob(digest));
    }

    private void blob(Descriptor blob) throws HostRuntimeException {
      if (!done.add(blob.digest())) {
        return;
      }
      if (!store.hasBlob(blob.digest())) {
        throw HostRuntimeException.failed(
            action + ": blob " + blob.digest() + " is not in the image store");
      }
      TransferListener.Status status;
      if (client.checkBlob(blob.digest()).isPresent()) {
        status = TransferListener.Status.EXISTS;
      } else {
        BlobPusher.Outcome outcome = client.pushBlob(blob, store, mountHints.get(blob.digest()));
        status =
            outcome == BlobPusher.Outcome.MOUNTED
                ? TransferListener.Status.MOUNTED
                : TransferListener.Status.PUSHED;
      }
      listener.blob(blob, status);
      transfers.add(new BlobTransfer(blob, status));
    }
  }
}
