package dev.stamp.runtime.registry;

import dev.stamp.runtime.StampException.Kind;

/**
 * The error codes of the OCI distribution spec ("Error Codes" table), plus {@link #UNKNOWN} for an
 * answer that carries none. Each names the spec's description and what the caller should do.
 */
public enum RegistryErrorCode {
  BLOB_UNKNOWN("blob unknown to registry", Kind.NOT_FOUND),
  BLOB_UPLOAD_INVALID("blob upload invalid", Kind.FAILED),
  BLOB_UPLOAD_UNKNOWN("blob upload unknown to registry", Kind.FAILED),
  DIGEST_INVALID("provided digest did not match uploaded content", Kind.FAILED),
  MANIFEST_BLOB_UNKNOWN("manifest references a manifest or blob unknown to registry", Kind.FAILED),
  MANIFEST_INVALID("manifest invalid", Kind.FAILED),
  MANIFEST_UNKNOWN("manifest unknown to registry", Kind.NOT_FOUND),
  NAME_INVALID("invalid repository name", Kind.BAD_INPUT),
  NAME_UNKNOWN("repository name not known to registry", Kind.NOT_FOUND),
  SIZE_INVALID("provided length did not match content length", Kind.FAILED),
  UNAUTHORIZED("authentication required", Kind.BAD_INPUT),
  DENIED("requested access to the resource is denied", Kind.BAD_INPUT),
  UNSUPPORTED("the operation is unsupported", Kind.FAILED),
  TOOMANYREQUESTS("too many requests", Kind.FAILED),
  /** Not in the spec: an error answer without a (known) code. */
  UNKNOWN("unknown error", Kind.FAILED);

  private final String description;
  private final Kind kind;

  RegistryErrorCode(String description, Kind kind) {
    this.description = description;
    this.kind = kind;
  }

  /** The spec's description, used when the registry sends no message of its own. */
  public String description() {
    return description;
  }

  /** What the caller should do: NOT_FOUND for unknown names, BAD_INPUT for refused access. */
  public Kind kind() {
    return kind;
  }

  /** The code named {@code text} (as a registry sends it), or {@link #UNKNOWN}. */
  public static RegistryErrorCode of(String text) {
    if (text != null) {
      for (RegistryErrorCode code : values()) {
        if (code.name().equalsIgnoreCase(text)) {
          return code;
        }
      }
    }
    return UNKNOWN;
  }

  /** The code an answer without an error body implies, from its HTTP status. */
  public static RegistryErrorCode ofStatus(int status, RegistryErrorCode notFound) {
    return switch (status) {
      case 401 -> UNAUTHORIZED;
      case 403 -> DENIED;
      case 404 -> notFound;
      case 405 -> UNSUPPORTED;
      case 429 -> TOOMANYREQUESTS;
      default -> UNKNOWN;
    };
  }
}
