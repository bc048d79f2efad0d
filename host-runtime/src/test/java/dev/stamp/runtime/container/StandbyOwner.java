package dev.stamp.runtime.container;

import dev.stamp.runtime.StampRoot;
import java.nio.file.Path;

/** Test helper run as its own JVM: a long-lived runtime that prepares standbys, then waits. */
public final class StandbyOwner {

  private StandbyOwner() {}

  public static void main(String[] args) throws Exception {
    ContainerRuntime.openLongLived(new StampRoot(Path.of(args[0])), 1);
    Thread.sleep(Long.MAX_VALUE);
  }
}
