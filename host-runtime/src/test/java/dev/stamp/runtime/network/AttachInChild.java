package dev.stamp.runtime.network;

import dev.stamp.runtime.StampRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A separate JVM that attaches one container and then waits to be killed: the kill -9 test kills it
 * at each stage of {@link NetworkManager#attach}.
 */
public final class AttachInChild {

  private AttachInChild() {}

  static Process start(Path root, String containerId, int hostPort) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            AttachInChild.class.getName(),
            root.toString(),
            containerId,
            String.valueOf(hostPort))
        .redirectErrorStream(true)
        .start();
  }

  public static void main(String[] args) throws Exception {
    NetworkManager net = NetworkManager.open(new StampRoot(Path.of(args[0])));
    net.attach(
        args[1],
        NetworkMode.defaultMode(),
        List.of(PortMapping.tcp(Integer.parseInt(args[2]), 8080)));
    System.out.println("attached");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
