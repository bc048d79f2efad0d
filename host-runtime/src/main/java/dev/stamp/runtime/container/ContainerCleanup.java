package dev.stamp.runtime.container;

import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import java.nio.file.Path;

/**
 * {@code --rm} for a detached container: the shim execs this once the container has exited and
 * nobody listens on its status pipe. Arguments: state root, container id.
 */
public final class ContainerCleanup {

  private ContainerCleanup() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: ContainerCleanup ROOT ID");
      System.exit(2);
    }
    try {
      ContainerRuntime.open(new StampRoot(Path.of(args[0]))).remove(args[1], true);
    } catch (StampException e) {
      System.err.println("stamp: " + e.getMessage());
      System.exit(e.kind().exitCode());
    }
  }
}
