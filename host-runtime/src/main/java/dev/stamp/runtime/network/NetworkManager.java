package dev.stamp.runtime.network;

import dev.stamp.runtime.BackgroundStep;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.Timeline;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.fs.LockFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches containers to networks and detaches them, for one state root.
 *
 * <p>Layout under the root: {@code networks/NAME.json} (a bridge network's bridge and subnet;
 * {@code bridge} defaults to {@code stamp0} on {@code 10.88.0.0/16}), {@code
 * networks/attachments/ID.json} (what was attached, written before anything is created), {@code
 * networks/ipam/} (host-local's address leases), {@code networks/lock}, and {@code netns/ID} (the
 * namespace file a bridged container's first process joins).
 *
 * <p>Every step of {@link #attach} can be undone by {@link #detach}, which is idempotent and cleans
 * whatever exists after a kill -9 at any point: the record is written first, and each undo step
 * tolerates its object being absent.
 *
 * <p>Host loopback stays out of the containers' reach: an attach that publishes ports (CNI's
 * portmap turns {@code route_localnet} on for the bridge) or joins a bridge that already has it on
 * installs the root's {@link LoopbackGuard} first; {@link #removeNetwork} removes it with the
 * root's last bridge.
 */
public final class NetworkManager {

  /** Container ids name files and CNI containers: CNI's own rule for ids. */
  public static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

  private static final Logger LOG = LoggerFactory.getLogger(NetworkManager.class);

  private final Path networksDir;
  private final Path netnsDir;

  /**
   * Made on first use (as {@link #networks}): a {@code --network none} container never needs it.
   */
  private volatile JsonRecordDir<AttachmentRecord> store;

  /** {@code networks/NAME.json}: each bridge network's bridge and subnet. */
  private volatile JsonRecordDir<NetworkConfig> networks;

  private final CniPlugins cni;
  private final StampRoot root;
  private final SubnetClaims claims;
  private final LoopbackGuard guard;

  private NetworkManager(StampRoot root, SubnetClaims claims) {
    this.root = root;
    this.claims = claims;
    this.guard = LoopbackGuard.of(root);
    this.networksDir = root.path().resolve("networks");
    this.netnsDir = root.path().resolve("netns");
    this.cni = new CniPlugins(networksDir.resolve("ipam"));
  }

  private JsonRecordDir<AttachmentRecord> store() {
    JsonRecordDir<AttachmentRecord> s = store;
    if (s == null) {
      s = attachmentRecords(networksDir);
      store = s;
    }
    return s;
  }

  private JsonRecordDir<NetworkConfig> networks() {
    JsonRecordDir<NetworkConfig> n = networks;
    if (n == null) {
      n =
          new JsonRecordDir<>(
              networksDir,
              networksDir.resolve("lock"),
              NetworkRecordJson.NETWORK,
              NetworkConfig::name,
              "network");
      networks = n;
    }
    return n;
  }

  /**
   * {@code networks/attachments/ID.json}: one record per container with network state, written
   * before anything is created; {@code networks/lock} serialises port reservations.
   */
  static JsonRecordDir<AttachmentRecord> attachmentRecords(Path networksDir) {
    return new JsonRecordDir<>(
        networksDir.resolve("attachments"),
        networksDir.resolve("lock"),
        NetworkRecordJson.ATTACHMENT,
        AttachmentRecord::containerId,
        "network attachment");
  }

  /** The networking of {@code root}; creates nothing until a network is used. */
  public static NetworkManager open(StampRoot root) {
    return new NetworkManager(root, new SubnetClaims(SubnetClaims.DIR));
  }

  /** As {@link #open(StampRoot)}, with subnet claims kept in {@code claimsDir} (tests). */
  static NetworkManager open(StampRoot root, Path claimsDir) {
    return new NetworkManager(root, new SubnetClaims(claimsDir));
  }

  // --- networks ---

  /**
   * The bridge network called {@code name}: its file, or for {@code bridge} the default when there
   * is no file. NOT_FOUND otherwise.
   */
  public NetworkConfig network(String name) throws HostRuntimeException {
    checkNetworkName(name);
    Optional<NetworkConfig> stored = networks().read(name);
    if (stored.isPresent()) {
      NetworkConfig c = stored.get();
      return NetworkConfig.of(c.name(), c.bridge(), c.subnet());
    }
    if (name.equals(NetworkMode.DEFAULT_NETWORK)) {
      return saveDefaultNetwork();
    }
    throw HostRuntimeException.notFound(
        "network " + name + ": not found (no " + networks().file(name) + ")");
  }

  /**
   * The default network on first use: the root's own bridge ({@link NetworkConfig#defaultBridge})
   * on a subnet no other interface routes and no other root claims (see {@link DefaultSubnet},
   * {@link SubnetClaims}), written down so it never changes under running containers.
   */
  private NetworkConfig saveDefaultNetwork() throws HostRuntimeException {
    String bridge = NetworkConfig.defaultBridge(root);
    Path path = root.path().toAbsolutePath().normalize();
    try (LockFile.Held lock = store().lock()) {
      Optional<NetworkConfig> raced = networks().read(NetworkMode.DEFAULT_NETWORK);
      if (raced.isPresent()) {
        return raced.get();
      }
      String subnet = claims.claim(path, bridge, DefaultSubnet.routes());
      NetworkConfig config = NetworkConfig.of(NetworkMode.DEFAULT_NETWORK, bridge, subnet);
      networks().write(config);
      return config;
    }
  }

  /**
   * Writes a network's file (also how the default {@code bridge} network gets another bridge or
   * subnet). CONFLICT while containers are attached to it.
   */
  public NetworkConfig saveNetwork(NetworkConfig config) throws HostRuntimeException {
    NetworkConfig valid = NetworkConfig.of(config.name(), config.bridge(), config.subnet());
    try (LockFile.Held lock = store().lock()) {
      refuseIfInUse(valid.name(), "change network");
      networks().write(valid);
    }
    return valid;
  }

  /**
   * Deletes a network: its bridge, its address leases and its file, and the root's {@link
   * LoopbackGuard} when no bridge of the root's networks is left on the host and no container of
   * the root is attached. CONFLICT while containers are attached to it. The shared CNI-HOSTPORT-*
   * iptables chains portmap creates stay (other CNI users share them); per-container chains went
   * with each detach.
   */
  public void removeNetwork(String name) throws HostRuntimeException {
    NetworkConfig config = network(name);
    try (LockFile.Held lock = store().lock()) {
      refuseIfInUse(name, "remove network");
      String failure = Links.deleteBridge(config.bridge());
      if (failure != null) {
        throw HostRuntimeException.failed("remove network " + name + ": " + failure);
      }
      if (store().keys().isEmpty() && rootBridgesOnHost().isEmpty()) {
        guard.remove("remove network " + name);
      }
      deleteTree(networksDir.resolve("ipam").resolve(CniPlugins.cniNetworkName(name)));
      networks().delete(name);
    } catch (IOException e) {
      throw HostRuntimeException.failed("remove network " + name + ": " + e.getMessage(), e);
    }
  }

  // --- attachments ---

  /**
   * Connects a container. {@code none} and {@code host} create nothing here (the container's first
   * process unshares its own network namespace for {@code none}) and publish no ports. A bridge
   * network gets a namespace file at {@code ROOT/netns/ID}, a veth on the bridge with an address
   * from the subnet, and the published ports with ephemeral host ports resolved. Failures leave
   * nothing behind: CONFLICT for a taken host port or an attached container, BAD_INPUT for a bad id
   * or ports without a bridge, NOT_FOUND for an unknown network, FAILED otherwise.
   */
  public NetworkAttachment attach(String containerId, NetworkMode mode, List<PortMapping> ports)
      throws HostRuntimeException {
    return prepare(containerId, mode, ports).connect();
  }

  /**
   * {@link #attach}'s first half: validates, reserves the ports, writes the intent and makes the
   * namespace file, so the container's first process can join the namespace while {@link
   * PendingAttachment#connect} (the CNI plugins, the other half) runs, on another thread if the
   * caller likes. The caller then connects it or {@link #detach}es the container. Failures of
   * either half leave nothing behind, as {@link #attach}'s.
   */
  public PendingAttachment prepare(String containerId, NetworkMode mode, List<PortMapping> ports)
      throws HostRuntimeException {
    checkContainerId(containerId);
    if (!(mode instanceof NetworkMode.Bridge bridge)) {
      refusePorts(mode, ports);
      return PendingAttachment.of(
          new NetworkAttachment(
              containerId, mode, Optional.empty(), Optional.empty(), Optional.empty(), List.of()));
    }
    NetworkConfig network = network(bridge.network());
    AttachmentRecord intent = reserve(containerId, network, ports);
    Path netns = Path.of(intent.netnsPath());
    try {
      NetnsFile.create(netns);
    } catch (HostRuntimeException | RuntimeException e) {
      undoAfterFailure(containerId, e);
      throw e;
    }
    Timeline.mark("attach: prepared");
    return new PendingAttachment(
        netns,
        () -> {
          try {
            AttachmentRecord attached = connect(intent);
            store().write(attached);
            Timeline.mark("attach: connected");
            return attached.toAttachment();
          } catch (HostRuntimeException | RuntimeException e) {
            undoAfterFailure(containerId, e);
            throw e;
          }
        });
  }

  /**
   * Disconnects a container and removes everything {@link #attach} made, however far it got: CNI
   * DEL (portmap's iptables chains, the address lease, the veth), then the namespace file, then the
   * record. A container without a record is a no-op. FAILED leaves the record for a retry.
   */
  public void detach(String containerId) throws HostRuntimeException {
    checkContainerId(containerId);
    Path netns = netnsPath(containerId);
    Optional<AttachmentRecord> record = store().read(containerId);
    if (record.isPresent()) {
      cni.del(record.get(), NetnsFile.isNamespace(netns) ? netns.toString() : "");
    }
    NetnsFile.remove(netns);
    store().delete(containerId);
  }

  /**
   * As {@link #detach}, then deletes the kernel's tracked flows of the address the container had
   * (the recovery pass, for a container a killed process left attached: the pool may hand the
   * address to the next container, which must not inherit its NAT bindings).
   */
  public void detachAndForgetFlows(String containerId) throws HostRuntimeException {
    checkContainerId(containerId);
    Optional<String> address = store().read(containerId).map(AttachmentRecord::ipAddress);
    detach(containerId);
    if (address.isPresent()) {
      ConntrackFlows.forget(address.get());
    }
  }

  /**
   * The root's guard of host loopback, which must be in place before any {@code route_localnet}.
   */
  public LoopbackGuard loopbackGuard() {
    return guard;
  }

  /** A container's complete bridge attachment, if it has one. */
  public Optional<NetworkAttachment> attachment(String containerId) throws HostRuntimeException {
    checkContainerId(containerId);
    return store().read(containerId).filter(AttachmentRecord::complete).map(r -> r.toAttachment());
  }

  /** The complete attachments to the bridge network {@code network}, by container id. */
  public List<NetworkAttachment> attachments(String network) throws HostRuntimeException {
    List<NetworkAttachment> attached = new ArrayList<>();
    for (AttachmentRecord record : store().all()) {
      if (record.complete() && record.network().equals(network)) {
        attached.add(record.toAttachment());
      }
    }
    return List.copyOf(attached);
  }

  /**
   * Containers with network state in this root, complete or half-made (a killed attach): each needs
   * {@link #detach} once its container is gone.
   */
  public List<String> containersWithNetworkState() throws HostRuntimeException {
    return store().keys();
  }

  /** Where a bridged container's namespace file is (whether or not it exists). */
  public Path netnsPath(String containerId) {
    return netnsDir.resolve(containerId);
  }

  // --- steps ---

  /** Under the lock: refuse a second attach, resolve the ports, write the intent. */
  private AttachmentRecord reserve(
      String containerId, NetworkConfig network, List<PortMapping> ports)
      throws HostRuntimeException {
    try (LockFile.Held lock = store().lock()) {
      if (store().read(containerId).isPresent()) {
        throw HostRuntimeException.conflict(
            "attach container " + containerId + ": it already has network state (detach it first)");
      }
      if (Files.exists(netnsPath(containerId))) {
        NetnsFile.remove(netnsPath(containerId));
      }
      List<HostPorts.Published> published = new ArrayList<>();
      for (AttachmentRecord other : store().all()) {
        other.ports().forEach(p -> published.add(new HostPorts.Published(other.containerId(), p)));
      }
      List<PortMapping> resolved = HostPorts.resolve(ports, published);
      AttachmentRecord intent =
          AttachmentRecord.intent(containerId, network, netnsPath(containerId), resolved);
      store().write(intent);
      return intent;
    }
  }

  /** Runs the CNI plugins and reads the container's address and gateway from the result. */
  private AttachmentRecord connect(AttachmentRecord intent) throws HostRuntimeException {
    String stale = removeIfStale(intent.bridge(), intent.subnet());
    if (stale != null) {
      throw HostRuntimeException.failed("attach container " + intent.containerId() + ": " + stale);
    }
    String repair = Links.repairZeroMac(intent.bridge());
    if (repair != null) {
      throw HostRuntimeException.failed("attach container " + intent.containerId() + ": " + repair);
    }
    String action = "attach container " + intent.containerId();
    boolean ports = !intent.ports().isEmpty();
    // The loopback guard (an nft -f, when the bridge routes to localhost or ports get published)
    // runs beside the bridge plugin: it is in place before portmap turns route_localnet on and
    // before the container is released, which is all it has to precede.
    BackgroundStep<Void> guarded =
        ports || RouteLocalnet.isOn(intent.bridge())
            ? BackgroundStep.start(
                "stamp-guard-" + intent.containerId(),
                () -> {
                  guard.beforeAttach(intent.bridge(), ports, action);
                  return null;
                })
            : null;
    CniResult bridged;
    try {
      bridged = cni.addBridge(intent);
    } catch (HostRuntimeException | RuntimeException e) {
      if (guarded != null) {
        guarded.joinAfter(e);
      }
      throw e;
    }
    if (guarded != null) {
      guarded.join();
    }
    CniResult result = cni.addPorts(intent, bridged);
    for (CniResult.Ip ip : result.ips()) {
      String address = ip.address();
      int slash = address.indexOf('/');
      String host = slash < 0 ? address : address.substring(0, slash);
      if (Ipv4.isAddress(host)) {
        return intent.attached(host, ip.gateway(), result);
      }
    }
    throw HostRuntimeException.failed(
        "attach container " + intent.containerId() + ": CNI result has no IPv4 address: " + result);
  }

  /**
   * A bridge with no ports that routes another subnet than its network's (left by an older
   * configuration) would make the CNI bridge plugin fail ("already has an IP address different from
   * …"): it serves nobody, so it is deleted and the plugin makes it afresh. A bridge with ports is
   * never touched.
   */
  private static String removeIfStale(String bridge, String subnet) {
    Path ports = Path.of("/sys/class/net", bridge, "brif");
    try (java.util.stream.Stream<Path> attached = Files.list(ports)) {
      if (attached.findAny().isPresent()) {
        return null;
      }
    } catch (IOException e) {
      return null; // no such bridge yet
    }
    Subnet wanted = Subnet.parseTrusted(subnet);
    List<DefaultSubnet.Route> routes = DefaultSubnet.routes();
    boolean stale =
        routes.stream().anyMatch(r -> r.iface().equals(bridge) && !r.destination().equals(wanted));
    return stale ? Links.deleteBridge(bridge) : null;
  }

  /** The bridges of the root's networks (the default one's too) that exist on the host. */
  private List<String> rootBridgesOnHost() throws HostRuntimeException {
    List<String> bridges = new ArrayList<>();
    bridges.add(NetworkConfig.defaultBridge(root));
    for (NetworkConfig config : networks().all()) {
      bridges.add(config.bridge());
    }
    return bridges.stream()
        .distinct()
        .filter(b -> Files.exists(Path.of("/sys/class/net", b)))
        .toList();
  }

  private void undoAfterFailure(String containerId, Exception failure) {
    try {
      detach(containerId);
    } catch (HostRuntimeException | RuntimeException e) {
      LOG.warn("clean up after failed attach of {}: {}", containerId, e.getMessage());
      failure.addSuppressed(e);
    }
  }

  private void refuseIfInUse(String network, String action) throws HostRuntimeException {
    for (AttachmentRecord record : store().all()) {
      if (record.network().equals(network)) {
        throw HostRuntimeException.conflict(
            action + " " + network + ": container " + record.containerId() + " is attached to it");
      }
    }
  }

  private static void refusePorts(NetworkMode mode, List<PortMapping> ports)
      throws HostRuntimeException {
    if (!ports.isEmpty()) {
      throw HostRuntimeException.badInput(
          "publish "
              + ports.get(0).describe()
              + ": publishing ports needs a bridge network, not --network "
              + mode.flagValue());
    }
  }

  private static void checkContainerId(String containerId) throws HostRuntimeException {
    if (containerId == null || !CONTAINER_ID.matcher(containerId).matches()) {
      throw HostRuntimeException.badInput(
          "container id \"" + containerId + "\": expected letters, digits, '_', '.', '-'");
    }
  }

  private static void checkNetworkName(String name) throws HostRuntimeException {
    if (name == null || !NetworkMode.NETWORK_NAME.matcher(name).matches()) {
      throw HostRuntimeException.badInput("network \"" + name + "\": not a network name");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
