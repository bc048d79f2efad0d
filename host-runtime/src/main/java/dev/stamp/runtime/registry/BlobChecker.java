package dev.stamp.runtime.registry;

import dev.stamp.runtime.image.Digest;
import java.net.URI;
import java.util.Optional;

/** {@code HEAD /v2/<name>/blobs/<digest>}: the blob's size if the repository has it. */
final class BlobChecker implements RegistryOperation<Optional<Long>> {

  private final Digest digest;

  BlobChecker(Digest digest) {
    this.digest = digest;
  }

  @Override
  public String what() {
    return "check blob " + digest;
  }

  @Override
  public String method() {
    return "HEAD";
  }

  @Override
  public URI uri(RegistryClient client) {
    return client.repositoryUri("blobs/" + digest);
  }

  @Override
  public RegistryErrorCode notFound() {
    return RegistryErrorCode.BLOB_UNKNOWN;
  }

  @Override
  public Optional<Long> onSuccess(Transport.Answer answer) {
    String length = answer.header("Content-Length");
    try {
      return Optional.of(length == null ? -1L : Long.parseLong(length.strip()));
    } catch (NumberFormatException e) {
      return Optional.of(-1L);
    }
  }

  @Override
  public Optional<Optional<Long>> onStatus(int status) {
    return status == 404 ? Optional.of(Optional.empty()) : Optional.empty();
  }
}
