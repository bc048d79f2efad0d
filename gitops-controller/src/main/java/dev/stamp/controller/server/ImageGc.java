package dev.stamp.controller.server;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.store.AppStatus;
import dev.stamp.controller.store.BuiltImage;
import dev.stamp.controller.store.ControllerStore;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection of the controller's images (the {@code gc:images} Quartz job, every {@code
 * images.gcInterval}): the images no release names any more ({@code keepReleases} and the store's
 * prune decide which releases stay: the newest, the current, the last good and every one in flight)
 * leave the build catalogue, their {@code app/service:shortcommit} names (and {@code
 * REGISTRY/app/service:shortcommit}, the local names pushes used) leave the image store, and the
 * blobs nothing else reaches are deleted. Other images (bases, images named by {@code image:}) are
 * never touched.
 *
 * <p>A sync holds {@link #inUse()} from before it looks images up until its release (with the
 * digests) is recorded; collection takes the other side of that lock, so an image a sync in flight
 * found, built or tagged is either recorded by then, or looked up again after collection (a miss:
 * it is built anew), never deleted under it.
 */
final class ImageGc {

  private static final Logger LOG = LoggerFactory.getLogger(ImageGc.class);
  private static final Pattern SHORT_COMMIT = Pattern.compile("[0-9a-f]{7,40}");

  /** What one collection did. */
  record Result(List<BuiltImage> forgotten, List<ImageReference> untagged, List<Digest> deleted) {}

  private final ControllerStore store;
  private final ImageStore images;
  private final String registry;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /**
   * @param registry {@code host[:port]/prefix} images are pushed to, null with the embedded
   *     endpoint
   */
  ImageGc(ControllerStore store, ImageStore images, String registry) {
    this.store = store;
    this.images = images;
    this.registry = registry;
  }

  /** Held by a sync while the images it uses are not yet named by a recorded release. */
  Lock inUse() {
    return lock.readLock();
  }

  /** One collection; waits for syncs between their image lookup and their release record. */
  Result collect() throws ControllerException {
    lock.writeLock().lock();
    try {
      Set<String> live = store.releasedDigests();
      List<BuiltImage> forgotten = store.forgetUnreleasedBuilds();
      Set<String> apps = store.apps().stream().map(AppStatus::app).collect(Collectors.toSet());
      List<ImageReference> untagged = new ArrayList<>();
      List<Digest> deleted;
      try {
        for (Image image : images.list()) {
          ImageReference ref = image.reference();
          if (ref != null && ours(ref, apps) && !live.contains(image.manifestDigest().toString())) {
            images.untag(ref);
            untagged.add(ref);
          }
        }
        deleted = images.gc();
      } catch (HostRuntimeException e) {
        throw new ControllerException("image garbage collection in " + images.layout(), e);
      }
      if (!forgotten.isEmpty() || !untagged.isEmpty() || !deleted.isEmpty()) {
        LOG.info(
            "image gc: freed {} images no kept release names ({}), {} builds forgotten, {} blobs"
                + " deleted; {} digests kept",
            untagged.size(),
            untagged.stream().map(ImageReference::familiar).collect(Collectors.joining(", ")),
            forgotten.size(),
            deleted.size(),
            live.size());
      }
      return new Result(forgotten, untagged, deleted);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether the controller named {@code ref}: {@code [REGISTRY/]app/service:shortcommit}. */
  private boolean ours(ImageReference ref, Set<String> apps) {
    if (ref.tag() == null || !SHORT_COMMIT.matcher(ref.tag()).matches()) {
      return false;
    }
    String repository = ref.repository();
    if (!ref.registry().equals(ImageReference.DOCKER_HUB)) {
      String full = ref.registry() + "/" + repository;
      if (registry == null || !full.startsWith(registry + "/")) {
        return false; // another registry's image
      }
      repository = full.substring(registry.length() + 1);
    }
    String[] parts = repository.split("/");
    return parts.length == 2 && apps.contains(parts[0]);
  }
}
