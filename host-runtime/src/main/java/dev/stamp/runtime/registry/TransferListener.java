package dev.stamp.runtime.registry;

import dev.stamp.runtime.image.Descriptor;

/**
 * Told about each blob of a pull or push as it is settled (for progress lines). A pull calls it
 * from its download threads, so implementations must be thread-safe.
 */
@FunctionalInterface
public interface TransferListener {

  TransferListener NONE = (blob, status) -> {};

  /** What happened to one blob. */
  enum Status {
    /** Already there (in the local store on pull, in the repository on push). */
    EXISTS,
    /** Mounted from another repository of the same registry. */
    MOUNTED,
    /** Downloaded into the store. */
    PULLED,
    /** Uploaded to the registry. */
    PUSHED;

    /** The word progress lines use. */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  void blob(Descriptor blob, Status status);
}
