package dev.stamp.runtime.container;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ContainerRuntime#drift} finds: the paths of the container's root filesystem that
 * changed since it was created outside what the runtime itself makes at start (mount points, {@code
 * /etc/hosts}, the workdir, and their parents) — written, created or deleted (an overlay whiteout)
 * files, new empty directories — sorted; {@code truncated} when the walk of the upper dir stopped
 * at its bound; and when a command was last run in it with {@code stamp exec} (a drift suspect even
 * before a file changed). Writes to volumes, binds and tmpfs are not drift.
 */
public record Drift(List<String> paths, boolean truncated, Optional<Instant> execAt) {

  public Drift {
    paths = List.copyOf(paths);
  }

  /** Its root filesystem differs from the image's. */
  public boolean drifted() {
    return !paths.isEmpty();
  }

  /** Drifted, or someone ran a command in it (which may have changed what is not on disk). */
  public boolean suspect() {
    return drifted() || execAt.isPresent();
  }
}
