package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;

/**
 * {@code PUT /v2/<name>/manifests/<reference>} with the manifest's exact bytes and media type; the
 * registry's {@code Docker-Content-Digest} must be the digest of those bytes.
 */
final class ManifestPusher implements RegistryOperation<Digest> {

  private final String reference;
  private final String mediaType;
  private final byte[] bytes;
  private final Digest digest;

  ManifestPusher(String reference, String mediaType, byte[] bytes) {
    this.reference = reference;
    this.mediaType = mediaType;
    this.bytes = bytes.clone();
    this.digest = Digest.of(bytes);
  }

  @Override
  public String what() {
    return "push manifest " + (reference.contains(":") ? reference : digest.toString());
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public URI uri(RegistryClient client) {
    return client.repositoryUri("manifests/" + reference);
  }

  @Override
  public Map<String, String> headers() {
    return Map.of("Content-Type", mediaType);
  }

  @Override
  public HttpRequest.BodyPublisher body() {
    return HttpRequest.BodyPublishers.ofByteArray(bytes);
  }

  @Override
  public RegistryErrorCode notFound() {
    return RegistryErrorCode.NAME_UNKNOWN;
  }

  @Override
  public Digest onSuccess(Transport.Answer answer) throws HostRuntimeException {
    return RegistryOperation.stored(answer, "manifest", digest);
  }
}
