package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import java.util.Optional;

/**
 * {@code HEAD /v2/<name>/manifests/<reference>}: the digest the registry names the manifest (or
 * index) by, from {@code Docker-Content-Digest}; empty when the registry does not send one. No body
 * is read, so a pull that already has the image costs one small request.
 */
final class ManifestChecker extends ManifestRequest<Optional<Digest>> {

  ManifestChecker(String reference) {
    super(reference);
  }

  @Override
  public String method() {
    return "HEAD";
  }

  @Override
  public Optional<Digest> onSuccess(Transport.Answer answer) {
    return parse(answer.header("Docker-Content-Digest"));
  }

  /** A {@code Docker-Content-Digest} value; empty when absent or not a digest. */
  static Optional<Digest> parse(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.parse(header.strip()));
    } catch (HostRuntimeException e) {
      return Optional.empty();
    }
  }
}
