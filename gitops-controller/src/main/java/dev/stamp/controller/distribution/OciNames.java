package dev.stamp.controller.distribution;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The distribution spec's grammar for what a request path carries, checked before anything is
 * looked up: repository names, tags, and digests (sha256 only: the store keeps nothing else).
 * Lengths are checked before the patterns run.
 */
final class OciNames {

  /** What clients accept for registry host + '/' + name; a name alone stays within it. */
  static final int MAX_NAME = 255;

  private static final Pattern NAME =
      Pattern.compile(
          "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

  private OciNames() {}

  static boolean validName(String name) {
    return name.length() <= MAX_NAME && NAME.matcher(name).matches();
  }

  static boolean validTag(String tag) {
    return tag.length() <= 128 && TAG.matcher(tag).matches();
  }

  /** The digest {@code text} names, when it is {@code sha256:<64 lowercase hex>}. */
  static Optional<Digest> sha256(String text) {
    if (text.length() != 71 || !SHA256.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.parse(text));
    } catch (HostRuntimeException e) {
      return Optional.empty();
    }
  }
}
