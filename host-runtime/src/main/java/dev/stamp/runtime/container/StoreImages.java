package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.registry.CredentialSource;
import dev.stamp.runtime.registry.ImagePuller;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.RegistryConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The image store as the runtime's {@link RootfsSource}: a reference (name, id prefix or digest)
 * becomes the image's unpacked layers (each unpacked once, shared by diff id) and its config's
 * defaults. An image missing locally is pulled first when the source was opened with pulling on, as
 * {@code docker run} does.
 */
public final class StoreImages implements RootfsSource {

  private final StampRoot root;
  private final boolean pullMissing;
  private final CredentialSource credentials; // null: Docker's config.json from the environment

  private StoreImages(StampRoot root, boolean pullMissing, CredentialSource credentials) {
    this.root = root;
    this.pullMissing = pullMissing;
    this.credentials = credentials;
  }

  /** Local images only. */
  public static StoreImages local(StampRoot root) {
    return new StoreImages(root, false, null);
  }

  /** Local images, and a pull (mirrors first) for a reference the store does not have. */
  public static StoreImages pulling(StampRoot root) {
    return new StoreImages(root, true, null);
  }

  /** As {@link #pulling(StampRoot)}, presenting {@code credentials} (an agent's registry auth). */
  public static StoreImages pulling(StampRoot root, CredentialSource credentials) {
    return new StoreImages(root, true, credentials);
  }

  @Override
  public ResolvedImage resolve(String reference) throws HostRuntimeException {
    ImageStore store = ImageStore.open(root);
    Image image = find(store, reference);
    List<Path> lowerDirs = LayerStore.open(root, store).lowerDirs(image);
    ContainerConfig c = image.config().runConfig();
    return new ResolvedImage(
        reference,
        image.id().toString(),
        lowerDirs,
        orEmpty(c.env()),
        orEmpty(c.entrypoint()),
        orEmpty(c.cmd()),
        nonEmpty(c.workingDir()),
        nonEmpty(c.user()),
        nonEmpty(c.stopSignal()),
        c.exposedPorts() == null ? List.of() : List.copyOf(c.exposedPorts()));
  }

  private Image find(ImageStore store, String reference) throws HostRuntimeException {
    try {
      return store.resolve(reference);
    } catch (HostRuntimeException e) {
      if (!pullMissing || e.kind() != Kind.NOT_FOUND || !looksLikeName(reference)) {
        throw e;
      }
    }
    ImageReference ref = ImageReference.parse(reference);
    Registries registries =
        credentials == null
            ? Registries.open(root, Map.copyOf(System.getenv()))
            : new Registries(RegistryConfig.load(root), credentials);
    try {
      return new ImagePuller(registries, store).resolveOrPull(ref);
    } catch (HostRuntimeException e) {
      if (e.kind() == Kind.BAD_INPUT || e.kind() == Kind.CONFLICT) {
        throw e;
      }
      // Not here and not obtainable: for the caller, an unknown image (the cause says why).
      HostRuntimeException unknown =
          HostRuntimeException.notFound(
              "image "
                  + reference
                  + ": not in the local store, and pulling it failed: "
                  + e.getMessage());
      unknown.initCause(e);
      throw unknown;
    }
  }

  /** A bare id prefix or digest is never pulled (there is no registry name in it). */
  private static boolean looksLikeName(String reference) {
    return !reference.startsWith("sha256:") && !reference.matches("[0-9a-f]{4,64}");
  }

  /** Image configs keep absent fields null (so they stay absent in JSON). */
  private static List<String> orEmpty(List<String> values) {
    return values == null ? List.of() : values;
  }

  private static Optional<String> nonEmpty(String value) {
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
