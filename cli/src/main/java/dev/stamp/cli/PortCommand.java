package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.network.PortMapping;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code stamp port NAME [PORT[/PROTO]]}: the host ports a container publishes, as {@code docker
 * port} prints them ({@code 80/tcp -> 0.0.0.0:49153}; with a port given, only {@code
 * 0.0.0.0:49153}). Ephemeral ports show the port chosen when the container started.
 */
@Command(name = "port", description = "List a container's published ports.")
final class PortCommand extends StampCommand {

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Name or id.")
  String container;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "PORT[/PROTO]",
      description = "Only this container port.")
  String port;

  @Override
  public Integer call() throws Exception {
    ContainerRuntime runtime = Runtimes.open(stamp);
    String id = runtime.resolve(container);
    List<PortMapping> ports = published(runtime, id);
    if (port == null) {
      ports.forEach(p -> System.out.println(containerSide(p) + " -> " + hostSide(p)));
      return StampCli.EXIT_OK;
    }
    String wanted = port.contains("/") ? port : port + "/tcp";
    List<PortMapping> matching =
        ports.stream().filter(p -> containerSide(p).equals(wanted)).toList();
    if (matching.isEmpty()) {
      throw HostRuntimeException.failed(
          "port " + container + " " + port + ": no public port " + wanted + " published");
    }
    matching.forEach(p -> System.out.println(hostSide(p)));
    return StampCli.EXIT_OK;
  }

  /** The ports a running container publishes, ephemeral ones as chosen when it started. */
  static List<PortMapping> published(ContainerRuntime runtime, String id)
      throws HostRuntimeException {
    if (runtime.inspect(id).state().status() != ContainerStatus.RUNNING) {
      return List.of(); // as docker port: a stopped container publishes nothing
    }
    return runtime.network().attachment(id).map(a -> a.ports()).orElse(List.of());
  }

  private static String containerSide(PortMapping p) {
    return p.containerPort() + "/" + p.protocol();
  }

  private static String hostSide(PortMapping p) {
    return p.hostIp() + ":" + p.hostPort();
  }
}
