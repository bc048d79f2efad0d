package dev.stamp.runtime.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.MediaType;
import java.io.IOException;
import java.security.MessageDigest;

/**
 * {@code GET /v2/<name>/manifests/<reference>}. The digest of the bytes is checked against the
 * reference when it is a digest, and against {@code Docker-Content-Digest} when the registry sends
 * one.
 */
final class ManifestPuller extends ManifestRequest<PulledManifest> {

  /** The distribution spec lets registries refuse manifests over 4 MiB; so do we. */
  static final int MAX_MANIFEST = 4 << 20;

  ManifestPuller(String reference) {
    super(reference);
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public PulledManifest onSuccess(Transport.Answer answer)
      throws IOException, HostRuntimeException {
    byte[] bytes = answer.body().readUpTo(MAX_MANIFEST + 1);
    if (bytes.length > MAX_MANIFEST) {
      throw HostRuntimeException.failed(
          "manifest " + reference + " is larger than " + (MAX_MANIFEST >> 20) + " MiB");
    }
    Digest digest = verify(bytes, answer.header("Docker-Content-Digest"));
    return new PulledManifest(digest, mediaType(bytes, answer.header("Content-Type")), bytes);
  }

  /** The digest of {@code bytes}; FAILED when it differs from what the reference or header say. */
  private Digest verify(byte[] bytes, String header) throws HostRuntimeException {
    Digest expected = reference.contains(":") ? Digest.parse(reference) : null;
    Digest announced = null;
    if (header != null && !header.isBlank()) {
      announced = Digest.parse(header.strip());
    }
    Digest actual = digestAs(bytes, expected != null ? expected : announced);
    if (expected != null && !expected.equals(actual)) {
      throw mismatch(actual, expected, "the digest it was asked for");
    }
    if (announced != null && !announced.equals(digestAs(bytes, announced))) {
      throw mismatch(digestAs(bytes, announced), announced, "Docker-Content-Digest");
    }
    return actual.algorithm().equals(Digest.SHA256) ? actual : Digest.of(bytes);
  }

  private static Digest digestAs(byte[] bytes, Digest like) {
    if (like == null) {
      return Digest.of(bytes);
    }
    MessageDigest md = like.newMessageDigest();
    md.update(bytes);
    return Digest.of(md);
  }

  private HostRuntimeException mismatch(Digest actual, Digest expected, String source) {
    return HostRuntimeException.failed(
        "manifest "
            + reference
            + ": content hashes to "
            + actual
            + ", not "
            + expected
            + " ("
            + source
            + "); refusing it");
  }

  /** The media type from the header, else the JSON's {@code mediaType}, else from its shape. */
  private String mediaType(byte[] bytes, String contentType) throws HostRuntimeException {
    String type = contentType == null ? "" : contentType.split(";")[0].strip();
    if (MediaType.isManifest(type) || MediaType.isIndex(type)) {
      return type;
    }
    JsonNode json;
    try {
      json = ImageJson.mapper().readTree(bytes);
    } catch (IOException e) {
      throw HostRuntimeException.failed("manifest " + reference + " is not JSON");
    }
    String declared = json == null ? null : json.path("mediaType").asText(null);
    if (MediaType.isManifest(declared) || MediaType.isIndex(declared)) {
      return declared;
    }
    if (json != null && json.path("schemaVersion").asInt() == 1) {
      throw HostRuntimeException.failed(
          "manifest " + reference + " is Docker schema 1, which stamp does not read");
    }
    if (json != null && json.has("manifests")) {
      return MediaType.OCI_INDEX;
    }
    if (json != null && json.has("config") && json.has("layers")) {
      return MediaType.OCI_MANIFEST;
    }
    throw HostRuntimeException.failed(
        "manifest " + reference + " has unsupported media type \"" + type + "\"");
  }
}
