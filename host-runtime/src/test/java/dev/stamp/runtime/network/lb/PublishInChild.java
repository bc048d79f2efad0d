package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.network.PortMapping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A separate JVM that publishes one service and then waits to be killed: the kill -9 test kills it
 * at each stage of {@link ServiceLoadBalancer#publish}.
 */
public final class PublishInChild {

  private PublishInChild() {}

  static Process start(Path root, String service, int port, String backendAddress)
      throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            PublishInChild.class.getName(),
            root.toString(),
            service,
            String.valueOf(port),
            backendAddress)
        .redirectErrorStream(true)
        .start();
  }

  public static void main(String[] args) throws Exception {
    ServiceLoadBalancer lb = ServiceLoadBalancer.open(new StampRoot(Path.of(args[0])));
    lb.publish(
        args[1],
        PortMapping.tcp(Integer.parseInt(args[2]), Replicas.HTTP_PORT),
        List.of(Backend.of(args[3])));
    System.out.println("published");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
