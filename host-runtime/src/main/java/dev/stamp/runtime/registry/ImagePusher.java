package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageIndex;
import dev.stamp.runtime.image.ImageJson;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;

/**
 * {@code stamp push}: uploads the image a local name points at to the registry that name names.
 * Each blob is first checked ({@code HEAD}); a missing one is mounted from another repository of
 * the same registry when a local image of that repository holds it (a wrong guess costs one
 * request: the registry opens an upload instead), else uploaded; up to {@link #PARALLEL} blobs at
 * once. Pushes of one {@link Registries} share their uploads: a blob another push is sending to the
 * same registry is waited for and then mounted (or found), never sent twice. Manifests go last,
 * children of an index before the index, so the registry never sees a manifest whose blobs it
 * lacks. Layers the store keeps uncompressed (what builds write) go gzip-compressed, made once and
 * deterministically ({@link GzipTwins}): the pushed manifest's digest, which {@link PushResult}
 * reports, then differs from the local one (the image id, the config's digest, does not).
 */
public final class ImagePusher {

  private static Logger log() {
    return Logs.of(ImagePusher.class);
  }

  /** Blobs uploaded at the same time (Docker's default is 5; the registry hashes each one). */
  static final int PARALLEL = 3;

  private final Registries registries;
  private final ImageStore store;
  private final GzipTwins twins;

  public ImagePusher(Registries registries, ImageStore store) {
    this.registries = registries;
    this.store = store;
    this.twins = new GzipTwins(store);
  }

  public PushResult push(ImageReference ref, TransferListener listener)
      throws HostRuntimeException {
    String action = "push " + ref.familiar();
    // The HTTP client builds while the local images are read.
    registries.prepare(registries.endpoint(ref.registry()));
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
    String reference = ref.tag();
    Descriptor pushed;
    try (ImageStore.Lease lease = store.lease()) {
      if (MediaType.isIndex(entry.mediaType())) {
        ImageIndex index = store.index(entry.digest());
        for (Descriptor child : index.manifests()) {
          requireManifest(child, entry, action);
        }
        List<Descriptor> children = new ArrayList<>();
        for (Descriptor child : index.manifests()) {
          Descriptor sent = upload.image(child.digest(), child.mediaType(), null);
          children.add(
              new Descriptor(
                  child.mediaType(),
                  sent.digest(),
                  sent.size(),
                  child.urls(),
                  child.annotations(),
                  child.platform()));
        }
        byte[] bytes =
            children.equals(index.manifests())
                ? store.readBlob(entry.digest())
                : ImageJson.write(
                    new ImageIndex(
                        index.schemaVersion(), index.mediaType(), children, index.annotations()));
        pushed = upload.manifest(bytes, entry.mediaType(), reference);
      } else {
        pushed = upload.image(entry.digest(), entry.mediaType(), reference);
      }
    }
    return new PushResult(ref, pushed.digest(), pushed.size(), upload.transfers);
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
          Descriptor twin = twins.known(layer);
          if (twin != null) {
            hints.putIfAbsent(twin.digest(), name.repository());
          }
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

    /**
     * Layers and config (up to {@link #PARALLEL} at a time), then the manifest as pushed: plain-tar
     * layers go as their gzip twins ({@link GzipTwins}), so the manifest then differs from the
     * stored one. {@code reference} null: by the pushed manifest's digest.
     */
    Descriptor image(Digest manifestDigest, String mediaType, String reference)
        throws HostRuntimeException {
      ImageManifest stored = store.manifest(manifestDigest);
      ImageManifest manifest = twins.forPush(stored, action);
      List<Descriptor> blobs = new ArrayList<>(manifest.layers());
      blobs.add(manifest.config());
      blobs(blobs);
      byte[] bytes =
          manifest == stored ? store.readBlob(manifestDigest) : ImageJson.write(manifest);
      return manifest(bytes, mediaType, reference);
    }

    Descriptor manifest(byte[] bytes, String mediaType, String reference)
        throws HostRuntimeException {
      Descriptor descriptor = Descriptor.of(mediaType, bytes);
      Digest digest =
          client.pushManifest(
              reference != null ? reference : descriptor.digest().toString(), mediaType, bytes);
      return Descriptor.of(mediaType, digest, bytes.length);
    }

    /**
     * Settles the blobs not settled yet, several at once. On the first failure the other uploads
     * are interrupted and awaited before it is thrown; the manifest is never sent then.
     */
    private void blobs(List<Descriptor> blobs) throws HostRuntimeException {
      List<Descriptor> todo = new ArrayList<>();
      for (Descriptor blob : blobs) {
        if (done.add(blob.digest())) {
          if (!store.hasBlob(blob.digest())) {
            throw HostRuntimeException.failed(
                action + ": blob " + blob.digest() + " is not in the image store");
          }
          todo.add(blob);
        }
      }
      BlobTransfer[] settled = new BlobTransfer[todo.size()];
      if (todo.size() == 1) {
        settled[0] = blob(todo.get(0));
        listener.blob(settled[0].blob(), settled[0].status());
      } else if (todo.size() > 1) {
        ExecutorService pool = BlobTasks.pool("stamp-push", PARALLEL, todo.size());
        try {
          List<Future<BlobTransfer>> futures = new ArrayList<>();
          for (Descriptor blob : todo) {
            futures.add(pool.submit(() -> blob(blob)));
          }
          for (int i = 0; i < futures.size(); i++) {
            settled[i] = BlobTasks.await(futures.get(i), "push");
            // Told in the manifest's order (layers, then config), whatever order they end in.
            listener.blob(settled[i].blob(), settled[i].status());
          }
        } finally {
          pool.shutdownNow();
          BlobTasks.awaitTermination(pool, "blob uploads", "push", log());
        }
      }
      transfers.addAll(List.of(settled));
    }

    /**
     * One blob: skipped when the repository has it, mounted when a local image of another
     * repository holds it, else uploaded. A blob another push of this process is already sending to
     * the same registry is waited for, then taken from where it went (exists or mount).
     */
    private BlobTransfer blob(Descriptor blob) throws HostRuntimeException {
      Registries.InFlight flight = registries.claimUpload(client.endpoint(), blob.digest());
      TransferListener.Status status;
      if (!flight.mine()) {
        status = afterOther(blob, flight.awaitRepository());
      } else {
        boolean sent = false;
        try {
          status = send(blob, mountHints.get(blob.digest()));
          flight.done(client.repository());
          sent = true;
        } finally {
          if (!sent) {
            flight.failed(); // whatever stopped it: waiters must not wait forever
          }
        }
      }
      return new BlobTransfer(blob, status);
    }

    /** After another push of this process settled the blob in {@code repository} (or failed). */
    private TransferListener.Status afterOther(Descriptor blob, String repository)
        throws HostRuntimeException {
      if (client.repository().equals(repository)) {
        return TransferListener.Status.EXISTS;
      }
      return send(blob, repository != null ? repository : mountHints.get(blob.digest()));
    }

    private TransferListener.Status send(Descriptor blob, String mountFrom)
        throws HostRuntimeException {
      if (client.checkBlob(blob.digest()).isPresent()) {
        return TransferListener.Status.EXISTS;
      }
      BlobPusher.Outcome outcome = client.pushBlob(blob, store, mountFrom);
      return outcome == BlobPusher.Outcome.MOUNTED
          ? TransferListener.Status.MOUNTED
          : TransferListener.Status.PUSHED;
    }
  }
}
