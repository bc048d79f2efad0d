package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;

/**
 * Finds the image a {@code FROM} names. Today: the local store only ({@link #localStore}); the
 * registry client plugs in here later (pull when missing, {@code --pull}).
 */
public interface BaseImageResolver {

  /** The image {@code ref} names; NOT_FOUND when there is none. */
  Image resolve(String ref) throws BuildException;

  static BaseImageResolver localStore(ImageStore store) {
    return ref -> {
      try {
        return store.resolve(ref);
      } catch (HostRuntimeException e) {
        if (e.kind() == StampException.Kind.NOT_FOUND) {
          throw BuildException.notFound(
              "FROM " + ref + ": no such image in the local store (pull it first)");
        }
        throw BuildException.failed("FROM " + ref + ": " + e.getMessage(), e);
      }
    };
  }
}
