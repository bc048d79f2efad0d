package dev.stamp.runtime.layer;

/**
 * OCI whiteouts in a layer tar and their overlayfs form in an unpacked layer directory: {@code
 * .wh.NAME} is a character device 0:0 named NAME, {@code .wh..wh..opq} is the xattr {@code
 * trusted.overlay.opaque=y} on its directory ({@code user.overlay.opaque} when not root, for a
 * {@code userxattr} mount).
 */
public final class Whiteouts {

  public static final String PREFIX = ".wh.";
  public static final String META_PREFIX = ".wh..wh.";
  public static final String OPAQUE = ".wh..wh..opq";
  public static final String TRUSTED_OPAQUE_XATTR = "trusted.overlay.opaque";
  public static final String USER_OPAQUE_XATTR = "user.overlay.opaque";

  private Whiteouts() {}

  /** The opaque xattr this process can set and overlayfs will read. */
  public static String opaqueXattr() {
    return Posix.isRoot() ? TRUSTED_OPAQUE_XATTR : USER_OPAQUE_XATTR;
  }

  /** Whether an xattr belongs to overlayfs (never taken from, nor put into, a layer tar). */
  public static boolean isOverlayXattr(String name) {
    return name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.");
  }
}
