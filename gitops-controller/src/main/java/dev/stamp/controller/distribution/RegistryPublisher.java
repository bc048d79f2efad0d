package dev.stamp.controller.distribution;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.registry.CredentialSource;
import dev.stamp.runtime.registry.DockerConfigCredentials;
import dev.stamp.runtime.registry.ImagePusher;
import dev.stamp.runtime.registry.PushResult;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.RegistryConfig;
import dev.stamp.runtime.registry.TransferListener;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code images.distribution: registry}: a release's images go to {@code host[:port]/prefix} before
 * any agent is told of them. Each image is first looked for by digest ({@code HEAD}); one the
 * registry lacks is tagged {@code REGISTRY/app/service:shortcommit} in the controller's store and
 * pushed with {@code stamp push}'s {@link ImagePusher} (blobs the repository has are skipped, blobs
 * another repository of the registry has are mounted), so a commit that changed one service sends
 * only that service's new blobs. Agents are told {@code REGISTRY/app/service@digest}.
 */
public final class RegistryPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryPublisher.class);

  private final String registry;
  private final Registries registries;
  private final ImageStore store;

  /**
   * @param registry {@code host[:port]/prefix}, as {@code images.registry}
   * @param auth a Docker {@code config.json} with the push credentials; null: anonymous
   */
  public static RegistryPublisher open(String registry, Path auth, StampRoot root, ImageStore store)
      throws ControllerException {
    try {
      CredentialSource credentials =
          auth == null ? CredentialSource.NONE : new DockerConfigCredentials(auth);
      return new RegistryPublisher(
          registry, new Registries(RegistryConfig.load(root), credentials), store);
    } catch (HostRuntimeException e) {
      throw new ControllerException("images.registry " + registry + ": registry settings", e);
    }
  }

  RegistryPublisher(String registry, Registries registries, ImageStore store) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.registries = registries;
    this.store = store;
  }

  /** The name agents pull {@code digest} of {@code app}'s {@code service} under. */
  public String agentReference(String app, String service, String digest) {
    return registry + "/" + app + "/" + service + "@" + digest;
  }

  /**
   * Makes every image of {@code digests} (service → manifest digest) present in the registry,
   * pushing those it lacks as {@code :shortCommit}. Returns what was pushed, per service (services
   * whose image was there already are absent).
   *
   * @throws ControllerException naming the registry, the image and what failed; retryable when the
   *     registry was unreachable or answered 5xx/429, so the same release may be tried again
   */
  public Map<String, PushResult> publish(
      String app, String shortCommit, Map<String, String> digests) throws ControllerException {
    Map<String, PushResult> pushed = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : digests.entrySet()) {
      String service = e.getKey();
      String digest = e.getValue();
      String where = registry + "/" + app + "/" + service;
      try {
        ImageReference tagged = ImageReference.parse(where + ":" + shortCommit);
        if (present(tagged, digest)) {
          LOG.debug("app {}, service {}: {} is in {} already", app, service, digest, registry);
          continue;
        }
        store.tag(digest, tagged);
        PushResult result = new ImagePusher(registries, store).push(tagged, TransferListener.NONE);
        pushed.put(service, result);
        LOG.info(
            "app {}, service {}: pushed {} ({} blobs sent, {} mounted, {} there already)",
            app,
            service,
            tagged,
            result.count(TransferListener.Status.PUSHED),
            result.count(TransferListener.Status.MOUNTED),
            result.count(TransferListener.Status.EXISTS));
      } catch (HostRuntimeException ex) {
        throw new ControllerException(
            "push the image of app "
                + app
                + ", service "
                + service
                + " ("
                + digest
                + ") to "
                + where
                + (ex.retryable()
                    ? " (the registry may be down: the sync is retried)"
                    : " (retrying will not help until this is fixed)"),
            ex);
      }
    }
    return pushed;
  }

  /** Whether the registry has the manifest {@code digest} in {@code ref}'s repository. */
  private boolean present(ImageReference ref, String digest) throws HostRuntimeException {
    Digest wanted = Digest.parse(digest);
    try {
      return registries
          .pullClient(
              registries.endpoint(ref.registry()), ref.repository(), "check " + ref.familiar())
          .manifestDigest(digest)
          .map(wanted::equals)
          .orElse(false);
    } catch (HostRuntimeException e) {
      if (e.kind() == StampException.Kind.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
