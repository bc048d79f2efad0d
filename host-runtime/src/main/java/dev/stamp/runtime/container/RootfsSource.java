package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;

/** Turns an image reference into layers and defaults (the image store implements it). */
@FunctionalInterface
public interface RootfsSource {

  ResolvedImage resolve(String reference) throws HostRuntimeException;

  /** For a build without an image store: every reference is unknown. */
  RootfsSource NONE =
      reference -> {
        throw HostRuntimeException.notFound(
            "image " + reference + ": no such image (no image store here; use --rootfs DIR)");
      };
}
