package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.BridgeNetworks;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerNetwork;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.container.LogReader;
import dev.stamp.runtime.container.RootfsSource;
import dev.stamp.runtime.container.RunningContainer;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.recovery.RootRecovery;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampRootTest;
import dev.stamp.testkit.TestStateRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bridged container's start connects the bridge (CNI ADD) on a thread of its own while the shim
 * builds the container, which waits before its command for the release: the command still starts
 * with its address and its /etc/hosts entry in place, and a connect that fails stops the container
 * before its command and leaves no lease, namespace file, record or veth.
 */
@RequiresRoot
@StampRootTest
class BridgeStartIT {

  TestStateRoot state;
  StampRoot root;
  NetworkManager net;
  NetworkConfig network;
  ContainerRuntime runtime;
  Path rootfs;
  boolean fakeBridge;

  @BeforeEach
  void setUp(TestStateRoot state) throws Exception {
    this.state = state;
    root = new StampRoot(state.path());
    net = NetworkManager.open(root);
    network = net.saveNetwork(HostNet.uniqueNetwork("bridge"));
    runtime =
        new ContainerRuntime(root, Cgroups.detect(), RootfsSource.NONE, new BridgeNetworks(net));
    rootfs = BusyboxRootfs.create(state.scratch().resolve("rootfs"));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    for (ContainerInfo info : runtime.list(true)) {
      state.track(info.id());
      runtime.remove(info.id(), true);
    }
    assertThat(net.containersWithNetworkState()).isEmpty();
    if (fakeBridge) {
      HostNet.run("ip", "link", "del", network.bridge());
    }
    net.removeNetwork("bridge");
  }

  @Test
  void theCommandStartsWithItsAddressAndItsHostsEntryInPlace() throws Exception {
    String id =
        state.track(
            runtime.create(
                spec("sh", "-c", "ip -4 -o addr show dev eth0; echo ---; cat /etc/hosts")));
    int code;
    String address;
    try (RunningContainer c = runtime.start(id, false)) {
      address = net.attachment(id).orElseThrow().ipAddress().orElseThrow();
      code = c.awaitExit();
    }

    String out = stdout(id);
    assertThat(code).as(out).isZero();
    String[] parts = out.split("---\n");
    assertThat(parts[0]).as("eth0 when the command ran").contains("inet " + address + "/");
    assertThat(parts[1])
        .as("/etc/hosts when the command ran")
        .containsPattern("(?m)^" + address.replace(".", "\\.") + "\t");
    assertThat(HostNet.bridgePorts(network.bridge())).as("the container's veth").hasSize(1);

    runtime.remove(id, true);
    assertThat(HostNet.leftovers(net, id, state.path())).isEmpty();
    assertThat(HostNet.bridgePorts(network.bridge())).as("veths on the bridge").isEmpty();
  }

  @Test
  void aConnectThatFailsWhileTheRootfsIsBuiltStopsTheContainerBeforeItsCommand() throws Exception {
    // A link of the bridge's name that is no bridge (a veth; its peer goes with it): the CNI bridge
    // plugin refuses it (ADD fails) after the namespace file exists, while the shim builds the
    // container.
    HostNet.run(
        "ip",
        "link",
        "add",
        network.bridge(),
        "type",
        "veth",
        "peer",
        "name",
        network.bridge() + "p");
    fakeBridge = true;
    String id = state.track(runtime.create(spec("sh", "-c", "touch /ran; sleep 30")));

    assertThatThrownBy(() -> runtime.start(id, false))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("CNI bridge ADD for container " + id)
        .hasMessageContaining("is not a bridge")
        .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(HostRuntimeException.Kind.FAILED));

    assertThat(HostNet.leftovers(net, id, state.path()))
        .as("no lease, namespace file, record or rules")
        .isEmpty();
    assertThat(net.containersWithNetworkState()).isEmpty();
    Path dir = state.path().resolve("containers").resolve(id);
    assertThat(dir.resolve("upper/ran")).as("the command never ran").doesNotExist();
    assertThat(runtime.status(id)).isIn(ContainerStatus.EXITED, ContainerStatus.DEAD);
    // the container waited for its release, or (the plugin failed faster than the shim got there)
    // found the namespace file removed by the undo
    assertThat(Files.readString(dir.resolve("exit")))
        .as("the shim recorded why")
        .containsPattern(
            "error=(wait for the network: the starter did not release the container"
                + "|join network namespace )");

    runtime.remove(id, true);
    assertThat(state.path().resolve("containers").resolve(id)).doesNotExist();
  }

  @Test
  void aContainerWaitsAtTheHoldUntilItsNetworkIsConnected() throws Exception {
    ContainerRuntime held = runtimeWhoseConnect(pending -> pending.connect());
    String id =
        state.track(held.create(spec("sh", "-c", "ip -4 -o addr show dev eth0; cat /etc/hosts")));
    int code;
    try (RunningContainer c = held.start(id, false)) {
      code = c.awaitExit();
    }
    String out = stdout(id);
    assertThat(code).as(out).isZero();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("inet ([0-9.]+)/").matcher(out);
    assertThat(m.find()).as("eth0 had its address when the command ran: " + out).isTrue();
    String address = m.group(1);
    assertThat(out).containsPattern("(?m)^" + address.replace(".", "\\.") + "\t");
    held.remove(id, true);
    assertThat(HostNet.leftovers(net, id, state.path())).isEmpty();
  }

  @Test
  void aConnectFailingWhileTheContainerWaitsAtTheHoldLeavesNothing() throws Exception {
    ContainerRuntime held =
        runtimeWhoseConnect(
            pending -> {
              throw HostRuntimeException.failed("connect on purpose: the test's failure");
            });
    String id = state.track(held.create(spec("sh", "-c", "touch /ran; sleep 30")));

    assertThatThrownBy(() -> held.start(id, false))
        .hasMessage("connect on purpose: the test's failure");

    assertThat(HostNet.leftovers(net, id, state.path())).isEmpty();
    Path dir = state.path().resolve("containers").resolve(id);
    assertThat(dir.resolve("upper/ran")).as("the command never ran").doesNotExist();
    assertThat(Files.readString(dir.resolve("exit")))
        .contains("error=wait for the network: the starter did not release the container");
    held.remove(id, true);
  }

  @Test
  void aGuardRemovedBehindStampsBackIsBackBeforeAContainerOnARouteLocalnetBridgeRuns()
      throws Exception {
    // a first container makes the bridge; route_localnet then goes on with the guard (as a
    // published port or a load-balanced service does), and the guard is deleted behind Stamp's
    // back (nft flush ruleset, a firewall reload)
    String first = state.track(runtime.create(spec("true")));
    try (RunningContainer c = runtime.start(first, false)) {
      assertThat(c.awaitExit()).isZero();
    }
    runtime.remove(first, true);
    LoopbackGuard guard = net.loopbackGuard();
    guard.enableRouteLocalnet("test", List.of(network.bridge()));
    HostNet.run("nft", "delete", "table", "ip", guard.tableName());

    // the next container's guard runs beside its bridge plugin, joined before its release
    String id = state.track(runtime.create(spec("sleep", "30")));
    try (RunningContainer c = runtime.start(id, false)) {
      assertThat(HostNet.run("nft", "list", "tables"))
          .as("the guard, while the container runs")
          .contains("table ip " + guard.tableName() + "\n");
    } finally {
      runtime.remove(id, true);
    }
    HostNet.run("nft", "delete", "table", "ip", guard.tableName());
  }

  @Test
  void aDelThatFailsIsReportedAndLeavesTheContainerForARetry() throws Exception {
    String id = state.track(runtime.create(spec("true")));
    try (RunningContainer c = runtime.start(id, false)) {
      assertThat(c.awaitExit()).isZero();
    }
    // host-local keeps the network's leases in networks/ipam/<CNI network>: a file in the way
    // fails the DEL (after the bridge plugin deleted the veth), while the cgroups are removed
    Path leases =
        state.path().resolve("networks/ipam").resolve(CniPlugins.cniNetworkName("bridge"));
    Path aside = leases.resolveSibling("aside");
    Files.move(leases, aside);
    Files.writeString(leases, "in the way\n");

    assertThatThrownBy(() -> runtime.remove(id, true))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("CNI bridge DEL for container " + id)
        .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(HostRuntimeException.Kind.FAILED));
    assertThat(runtime.list(true))
        .as("the container stays, with its record")
        .extracting(ContainerInfo::id)
        .containsExactly(id);
    assertThat(net.containersWithNetworkState()).containsExactly(id);
    assertThat(RootRecovery.of(root).check())
        .as("nothing the recovery would call a leftover")
        .isEmpty();

    Files.delete(leases);
    Files.move(aside, leases);
    runtime.remove(id, true);
    assertThat(HostNet.leftovers(net, id, state.path())).isEmpty();
    assertThat(runtime.list(true)).isEmpty();
  }

  /** What the test's connect does once the container waits at its hold. */
  interface Connect {
    NetworkAttachment apply(PendingAttachment pending) throws HostRuntimeException;
  }

  /**
   * A runtime on this root's bridge whose connect first waits until the container's first process
   * sits in its network namespace, blocked in read(2) on the hold pipe (fd 6), then does {@code
   * connect}; a failing one undoes the attach as the real one does.
   */
  private ContainerRuntime runtimeWhoseConnect(Connect connect) throws HostRuntimeException {
    BridgeNetworks bridges = new BridgeNetworks(net);
    ContainerNetwork network =
        new ContainerNetwork() {
          @Override
          public NetworkMode parseMode(String text) throws HostRuntimeException {
            return bridges.parseMode(text);
          }

          @Override
          public List<PortMapping> parsePorts(String text) throws HostRuntimeException {
            return bridges.parsePorts(text);
          }

          @Override
          public NetworkMode defaultMode() {
            return bridges.defaultMode();
          }

          @Override
          public NetworkAttachment attach(String id, NetworkMode mode, List<PortMapping> ports)
              throws HostRuntimeException {
            return bridges.attach(id, mode, ports);
          }

          @Override
          public PendingAttachment prepare(String id, NetworkMode mode, List<PortMapping> ports)
              throws HostRuntimeException {
            PendingAttachment real = bridges.prepare(id, mode, ports);
            Path netns = real.netnsPath().orElseThrow();
            return new PendingAttachment(
                netns,
                () -> {
                  awaitHeld(netns);
                  try {
                    return connect.apply(real);
                  } catch (HostRuntimeException | RuntimeException e) {
                    net.detach(id);
                    throw e;
                  }
                });
          }

          @Override
          public void detach(String id) throws HostRuntimeException {
            bridges.detach(id);
          }

          @Override
          public java.util.Optional<NetworkAttachment> attachment(String id)
              throws HostRuntimeException {
            return bridges.attachment(id);
          }

          @Override
          public List<NetworkAttachment> attachments(String name) throws HostRuntimeException {
            return bridges.attachments(name);
          }
        };
    return new ContainerRuntime(root, Cgroups.detect(), RootfsSource.NONE, network);
  }

  /** Until a process in the namespace of {@code netns} is blocked reading fd 6 (10 s at most). */
  private static void awaitHeld(Path netns) {
    try {
      Object inode = Files.getAttribute(netns, "unix:ino");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
          for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
            try {
              if (inode.equals(Files.getAttribute(p.resolve("ns/net"), "unix:ino"))
                  && Files.readString(p.resolve("syscall")).startsWith("0 0x6 ")) {
                return;
              }
            } catch (java.io.IOException | RuntimeException gone) {
              // exited meanwhile, or a kernel thread
            }
          }
        }
        Thread.sleep(10);
      }
      throw new AssertionError("no process of " + netns + " waited at its hold within 10 s");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private ContainerSpec spec(String... command) throws HostRuntimeException {
    return ContainerSpec.builder().rootfs(rootfs).command(List.of(command)).build();
  }

  private String stdout(String id) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (LogReader.Entry e : runtime.logs(id).entries()) {
      if (e.stream() == LogReader.STDOUT) {
        sb.append(e.text());
      }
    }
    return sb.toString();
  }
}
