package dev.stamp.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One test's state root (see {@link StampRootTest}): its path, and the containers the test made,
 * whose cgroups the leak check looks for once they are removed.
 */
public final class TestStateRoot {

  private final Path dir;
  private final List<String> containerIds = new ArrayList<>();

  TestStateRoot(Path dir) {
    this.dir = dir;
  }

  /** The state root, {@code TMP/root} (absent until Stamp first writes to it). */
  public Path path() {
    return dir.resolve("root");
  }

  /** A scratch directory beside the root, for rootfs trees, contexts, files to mount. */
  public Path scratch() {
    return dir;
  }

  /** Remembers a container the test made: the leak check fails on a cgroup left of it. */
  public synchronized String track(String containerId) {
    if (!containerIds.contains(containerId)) {
      containerIds.add(containerId);
    }
    return containerId;
  }

  public synchronized List<String> tracked() {
    return List.copyOf(containerIds);
  }

  @Override
  public String toString() {
    return path().toString();
  }
}
