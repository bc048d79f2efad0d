package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Test fixture for the networking ITs: a state root whose {@code bridge} network has a bridge and a
 * /24 of its own (helpers share this machine), the CLI as a separate process, one-connection HTTP
 * GETs, and the clean-up that proves nothing is left.
 */
final class CliNet {

  final Path tmp;
  final Path root;
  final ContainerRuntime runtime;
  final NetworkManager net;

  CliNet(Path tmp) throws Exception {
    this.tmp = tmp;
    this.root = tmp.resolve("root");
    StampRoot stampRoot = new StampRoot(root);
    this.net = NetworkManager.open(stampRoot);
    net.saveNetwork(uniqueNetwork());
    this.runtime = ContainerRuntime.open(stampRoot);
  }

  /** The root's {@code bridge} network on a bridge and /24 of its own ({@link TestNetworks}). */
  static NetworkConfig uniqueNetwork() throws Exception {
    TestNetworks.Net n = TestNetworks.unique();
    return NetworkConfig.of("bridge", n.bridge(), n.subnet());
  }

  HostCommand.Result run(String... args) {
    return new StampCliProcess(root).run(args);
  }

  /** Polls {@code condition} every 100 ms for up to {@code seconds}; whether it became true. */
  static boolean await(int seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  /** The container's first process's view of a file (its mount namespace, via /proc). */
  String readInside(String container, String path) {
    try {
      int pid = runtime.inspect(container).state().process().orElseThrow().pid();
      return Files.readString(Path.of("/proc/" + pid + "/root" + path));
    } catch (Exception e) {
      return "";
    }
  }

  /** Removes every container and the bridge; then nothing of the root is mounted or attached. */
  void cleanUp() throws Exception {
    for (ContainerInfo i : runtime.list(true)) {
      runtime.remove(i.id(), true);
    }
    assertThat(net.containersWithNetworkState()).isEmpty();
    net.removeNetwork("bridge");
    assertThat(Mountinfo.read().anyUnder(root)).isFalse();
  }
}
