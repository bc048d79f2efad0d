package dev.stamp.runtime.registry;

import dev.stamp.runtime.image.MediaType;
import java.net.URI;
import java.util.Map;

/**
 * A request for the manifest (or index) {@code reference} names, a tag or a digest: {@code
 * /v2/<name>/manifests/<reference>} accepting OCI indexes and manifests and Docker manifest lists
 * and v2 manifests, a 404 meaning {@code MANIFEST_UNKNOWN}. {@link ManifestChecker} asks for its
 * digest only (HEAD), {@link ManifestPuller} for its bytes (GET).
 */
abstract class ManifestRequest<T> implements RegistryOperation<T> {

  static final String ACCEPT =
      String.join(
          ", ",
          MediaType.OCI_INDEX,
          MediaType.OCI_MANIFEST,
          MediaType.DOCKER_MANIFEST_LIST,
          MediaType.DOCKER_MANIFEST);

  final String reference;

  ManifestRequest(String reference) {
    this.reference = reference;
  }

  @Override
  public final String what() {
    return reference.contains(":") ? "manifest " + reference : "";
  }

  @Override
  public final URI uri(RegistryClient client) {
    return client.repositoryUri("manifests/" + reference);
  }

  @Override
  public final Map<String, String> headers() {
    return Map.of("Accept", ACCEPT);
  }

  @Override
  public final RegistryErrorCode notFound() {
    return RegistryErrorCode.MANIFEST_UNKNOWN;
  }
}
