package dev.stamp.runtime.container;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.linux.Cgroups;
import java.nio.file.Path;
import java.util.List;

/**
 * Test helper run as its own JVM: creates and starts detached containers in a loop until it is
 * killed (with -9, by the test, at an arbitrary moment).
 */
public final class CrashingCreator {

  private CrashingCreator() {}

  public static void main(String[] args) throws Exception {
    ContainerRuntime runtime =
        new ContainerRuntime(
            new StampRoot(Path.of(args[0])),
            Cgroups.detect(),
            RootfsSource.NONE,
            new LocalNetworks());
    System.out.println("ready");
    System.out.flush();
    while (true) {
      String id =
          runtime.create(
              ContainerSpec.builder()
                  .rootfs(Path.of(args[1]))
                  .command(List.of("sleep", "1000"))
                  .memoryBytes(64L << 20)
                  .build());
      runtime.start(id, false).close();
    }
  }
}
