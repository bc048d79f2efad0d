package dev.stamp.runtime.container;

import dev.stamp.runtime.StampRoot;
import java.nio.file.Path;

/**
 * Test helper run as its own JVM: a long-lived runtime that prepares standbys and, given a rootfs,
 * creates (adopts) one container and prints its id; then waits.
 */
public final class StandbyOwner {

  private StandbyOwner() {}

  public static void main(String[] args) throws Exception {
    ContainerRuntime runtime = ContainerRuntime.openLongLived(new StampRoot(Path.of(args[0])), 1);
    if (args.length > 1) {
      Thread.sleep(2000); // let the standby get ready
      System.out.println(
          runtime.create(
              ContainerSpec.builder()
                  .rootfs(Path.of(args[1]))
                  .command(java.util.List.of("true"))
                  .build()));
      System.out.flush();
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
