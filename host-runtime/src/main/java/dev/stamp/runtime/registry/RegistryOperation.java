package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Optional;

/**
 * One request of the distribution API and what its answer means (Jib's endpoint-provider idea):
 * {@link RegistryClient} sends it, answers auth challenges, follows redirects and retries; the
 * operation only builds the request and reads a successful answer.
 */
interface RegistryOperation<T> {

  /** What the request is about, for messages ({@code blob sha256:…}); empty for the image. */
  String what();

  String method();

  URI uri(RegistryClient client);

  /** Request headers (Accept, Content-Type, Content-Range). */
  default Map<String, String> headers() {
    return Map.of();
  }

  /** A fresh body for each attempt (null: none). */
  default HttpRequest.BodyPublisher body() {
    return null;
  }

  /** The error code a 404 without an error body means. */
  default RegistryErrorCode notFound() {
    return RegistryErrorCode.NAME_UNKNOWN;
  }

  /** Reads a 2xx answer. An IOException means the transfer failed (and may be retried). */
  T onSuccess(Transport.Answer answer) throws IOException, HostRuntimeException;

  /**
   * {@code pushed}, once the answer to its upload agrees: a {@code Docker-Content-Digest} the
   * registry sends must name it (FAILED when the registry stored other bytes than were sent).
   */
  static Digest stored(Transport.Answer answer, String what, Digest pushed)
      throws HostRuntimeException {
    String header = answer.header("Docker-Content-Digest");
    if (header != null && !header.isBlank() && !Digest.parse(header.strip()).equals(pushed)) {
      throw HostRuntimeException.failed(
          "the registry stored the " + what + " as " + header.strip() + ", not " + pushed);
    }
    return pushed;
  }

  /** A non-2xx status this operation expects (a HEAD's 404), or empty to report it as an error. */
  default Optional<T> onStatus(int status) {
    return Optional.empty();
  }
}
