package dev.stamp.runtime.recovery;

import java.nio.file.Path;

/**
 * One thing a state root should not hold: what it is, where, and whether the recovery pass removes
 * it ({@code fixable}) or only reports it (it cannot tell the thing is its own, or a live operation
 * may still need it).
 */
public record Leftover(Kind kind, Path path, String detail, boolean fixable) {

  /** What kind of leftover or inconsistency. */
  public enum Kind {
    /** {@code ops/<pid>-<start>} of a process that died without cleaning up. */
    DEAD_OPERATION("operation"),
    /** A mount under {@code build-tmp} of a build whose process is gone. */
    BUILD_MOUNT("mount"),
    /** A mount under the root that no record explains (reported, never undone). */
    UNEXPLAINED_MOUNT("mount"),
    /** A build's temp dir whose process is gone. */
    BUILD_TEMP("build temp dir"),
    /** A RUN step's container whose build is gone. */
    BUILD_CONTAINER("build container"),
    /** A blob half-written by a pull, import or build that is gone. */
    PARTIAL_BLOB("partial blob"),
    /** A layer half-unpacked by a process that is gone. */
    LAYER_TEMP("layer temp dir"),
    /** A removed container whose files a killed {@code rm} had not deleted yet. */
    RETIRED_CONTAINER("removed container"),
    /** A container directory whose create was killed before its record was written. */
    HALF_CREATED_CONTAINER("half-created container"),
    /** A container record without its rootfs dir (create killed half-way). */
    CONTAINER_WITHOUT_ROOTFS("container without rootfs"),
    /** Network state (netns file, address, ports) of a container that no longer exists. */
    ORPHAN_NETWORK("network state"),
    /** A blob no index entry reaches (an interrupted pull's cache, or a bug). */
    UNREFERENCED_BLOB("unreferenced blob"),
    /** A record that is not whole, or not Stamp's: reported with its file, never deleted. */
    BAD_RECORD("unreadable record");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** One line for a person: {@code KIND PATH: DETAIL}. */
  public String describe() {
    return kind.label() + " " + path + (detail.isEmpty() ? "" : ": " + detail);
  }
}
