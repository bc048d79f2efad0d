package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.fs.LockFile;
import dev.stamp.runtime.network.LoopbackGuard;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.Nft;
import dev.stamp.runtime.network.PortMapping;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Published service ports of one state root, each balanced over several backends (containers of
 * this root), in kernel space with nftables: round robin over the backends (weighted), changes of
 * the backend set applied atomically, established connections kept on their backend by conntrack.
 * This is the traffic switch of a deploy: publish, {@link #setBackends} to the new set, {@link
 * #drain} the old backend, stop it.
 *
 * <p>Layout under the root: {@code lb/services/NAME.json} (the desired state of each service,
 * written before the table changes), {@code lb/ruleset.nft} (the last script applied), {@code
 * lb/lock}. The kernel side is one table, {@code table ip stamp_<hash of the root path>} (see
 * {@link #tableName()}), regenerated whole from the records on each change, so roots never share
 * rules and {@link #unpublish} of the last service removes the table. Every step can be redone
 * after a kill -9: an unpublish finishes whatever a killed publish or unpublish left, and {@link
 * #restore()} re-applies the records (after a reboot, say).
 */
public final class ServiceLoadBalancer {

  /** Service names: file names and nftables chain names are made from them. */
  public static final Pattern SERVICE_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");

  private static final Logger LOG = LoggerFactory.getLogger(ServiceLoadBalancer.class);
  private static final Duration DRAIN_POLL = Duration.ofMillis(20);

  private final String table;
  private final JsonRecordDir<BalancedService> store;
  private final Nft nft;
  private final BackendResolver resolver;

  /** Installed before any bridge gets {@code route_localnet} (which loopback fronts need). */
  private final LoopbackGuard guard;

  /**
   * {@code lb/services/NAME.json}: one record per published service, written first, so a killed
   * publish or unpublish is finished later; {@code lb/lock} serialises table updates.
   */
  static JsonRecordDir<BalancedService> serviceRecords(Path lbDir) {
    return new JsonRecordDir<>(
        lbDir.resolve("services"),
        lbDir.resolve("lock"),
        BalancedService.class,
        BalancedService::name,
        "service record");
  }

  private ServiceLoadBalancer(StampRoot root, NetworkManager net) {
    Path dir = root.path().resolve("lb");
    this.table = NftRuleset.tableName(root);
    this.store = serviceRecords(dir);
    this.nft = new Nft(dir.resolve("ruleset.nft"));
    this.resolver = new BackendResolver(net);
    this.guard = net.loopbackGuard();
  }

  /** The published services of {@code root}; changes nothing until a service is published. */
  public static ServiceLoadBalancer open(StampRoot root) {
    return new ServiceLoadBalancer(root, NetworkManager.open(root));
  }

  /** The same, with the root's network manager (whose attachments name the possible backends). */
  public static ServiceLoadBalancer open(StampRoot root, NetworkManager net) {
    return new ServiceLoadBalancer(root, net);
  }

  /** The nftables table ({@code ip} family) carrying this root's services. */
  public String tableName() {
    return table;
  }

  /**
   * Publishes {@code front}'s host address and port (0: any free port) for {@code service}, with
   * new connections spread over {@code backends}; a backend of port 0 listens on {@code front}'s
   * container port. BAD_INPUT for a bad name or a backend that is not a container of this root,
   * CONFLICT for a service already published or a port in use; a failure leaves nothing behind.
   */
  public ServiceEndpoint publish(String service, PortMapping front, List<Backend> backends)
      throws HostRuntimeException {
    return publish(service, java.util.Collections.singletonList(front), backends);
  }

  /**
   * Publishes every one of {@code fronts} for {@code service} (as {@link #publish(String,
   * PortMapping, List)} does one), all balanced over the same {@code backends} and switched
   * together by {@link #setBackends}; a backend's port (0: the first front's container port) is the
   * first front's target, the other fronts reach the same address on their own container port. With
   * no fronts the service gets no rules at all: its record only keeps the backends in rotation (for
   * {@link HealthMonitor} and replaces). BAD_INPUT also for a host port given twice; CONFLICT
   * naming the host port another service or container publishes.
   */
  public ServiceEndpoint publish(String service, List<PortMapping> fronts, List<Backend> backends)
      throws HostRuntimeException {
    String action = "publish service " + service;
    checkName(service);
    try (LockFile.Held lock = store.lock()) {
      if (store.read(service).isPresent()) {
        throw HostRuntimeException.conflict(
            action + ": it is already published (unpublish it first)");
      }
      List<PortMapping> resolvedFronts = resolveFronts(action, service, fronts);
      ResolvedBackends resolved =
          resolver.resolve(action, resolvedFronts.stream().findFirst().orElse(null), backends);
      BalancedService intent =
          new BalancedService(
              service,
              resolvedFronts,
              resolved.backends(),
              resolved.subnets(),
              resolved.bridges(),
              BalancedService.PUBLISHING);
      store.write(intent);
      try {
        if (!resolvedFronts.isEmpty()) {
          guard.enableRouteLocalnet(action, resolved.bridges());
          apply(action);
        }
        BalancedService published = intent.withState(BalancedService.PUBLISHED);
        store.write(published);
        return published.toEndpoint();
      } catch (HostRuntimeException | RuntimeException e) {
        undoPublish(service, e);
        throw e;
      }
    }
  }

  /**
   * Replaces the service's backends in one nftables transaction, for every front of the service at
   * once: new connections go to the new set at once, established ones stay where they are (see
   * {@link #drain}). An empty list refuses new connections. NOT_FOUND for a service that is not
   * published.
   */
  public ServiceEndpoint setBackends(String service, List<Backend> backends)
      throws HostRuntimeException {
    String action = "set backends of service " + service;
    checkName(service);
    try (LockFile.Held lock = store.lock()) {
      BalancedService current = requirePublished(action, service);
      ResolvedBackends resolved =
          resolver.resolve(action, current.fronts().stream().findFirst().orElse(null), backends);
      BalancedService updated = current.withBackends(resolved);
      store.write(updated);
      try {
        if (!updated.fronts().isEmpty()) { // else no rules: the record is all there is
          guard.enableRouteLocalnet(action, resolved.bridges());
          apply(action);
        }
      } catch (HostRuntimeException | RuntimeException e) {
        store.write(current);
        throw e;
      }
      return updated.toEndpoint();
    }
  }

  /** The service's current backends, in order. NOT_FOUND when it is not published. */
  public List<Backend> backends(String service) throws HostRuntimeException {
    return service(service)
        .orElseThrow(() -> notPublished("backends of service " + service, service))
        .backends();
  }

  /** The published service {@code name}, if it is completely published. */
  public Optional<ServiceEndpoint> service(String name) throws HostRuntimeException {
    checkName(name);
    return store.read(name).filter(BalancedService::complete).map(BalancedService::toEndpoint);
  }

  /**
   * Removes the service's rules (and the table with the last service) and its record, however far a
   * killed publish or unpublish got. A service without a record is a no-op.
   */
  public void unpublish(String service) throws HostRuntimeException {
    checkName(service);
    try (LockFile.Held lock = store.lock()) {
      unpublishLocked(service);
    }
  }

  /** The completely published services, by name. */
  public List<ServiceEndpoint> list() throws HostRuntimeException {
    return store.all().stream()
        .filter(BalancedService::complete)
        .map(BalancedService::toEndpoint)
        .toList();
  }

  /**
   * Every service with a record, complete or half-made (a killed publish or unpublish): each of the
   * latter needs {@link #unpublish}.
   */
  public List<String> servicesWithState() throws HostRuntimeException {
    return store.keys();
  }

  /**
   * Re-applies the table from the records: after a reboot, or an update killed before the table.
   */
  public void restore() throws HostRuntimeException {
    try (LockFile.Held lock = store.lock()) {
      Set<String> bridges = new LinkedHashSet<>();
      for (BalancedService record : store.all()) {
        if (record.active()) {
          bridges.addAll(record.bridges());
        }
      }
      guard.enableRouteLocalnet("restore published services", List.copyOf(bridges));
      apply("restore published services");
    }
  }

  /**
   * Waits until no live connection that came through any of the service's fronts is open to {@code
   * backend} (on the port each front reaches it on) (connection tracking: TCP flows in TIME_WAIT or
   * CLOSE no longer count) or {@code timeout} has passed: every front drains together. A service
   * without fronts is drained at once. CONFLICT while the backend still takes new connections (take
   * it out with {@link #setBackends} first).
   */
  public DrainResult drain(String service, Backend backend, Duration timeout)
      throws HostRuntimeException {
    String action = "drain backend " + backend.endpoint() + " of service " + service;
    checkName(service);
    BalancedService record = requirePublished(action, service);
    Backend target =
        backend.port() == 0 && !record.fronts().isEmpty()
            ? backend.withPort(record.fronts().get(0).containerPort())
            : backend;
    if (record.backends().stream().anyMatch(target::sameEndpoint)) {
      throw HostRuntimeException.conflict(
          action + ": it still takes new connections (set the backends without it first)");
    }
    if (record.fronts().isEmpty()) {
      return new DrainResult(true, 0, Duration.ZERO); // nothing came through a front
    }
    Predicate<Conntrack.Flow> filter = flowsTo(record, target);
    Conntrack conntrack = Conntrack.system();
    String mention = "src=" + target.address() + " "; // the reply tuple's source
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long remaining = conntrack.count(mention, filter);
    while (remaining > 0 && System.nanoTime() < deadline) {
      sleep(action, Math.min(DRAIN_POLL.toNanos(), Math.max(0, deadline - System.nanoTime())));
      remaining = conntrack.count(mention, filter);
    }
    return new DrainResult(remaining == 0, remaining, Duration.ofNanos(System.nanoTime() - start));
  }

  /** Live connections that came through the service's front to {@code backend}. */
  public long flows(String service, Backend backend) throws HostRuntimeException {
    BalancedService record = requirePublished("count flows of service " + service, service);
    return record.fronts().isEmpty() ? 0 : Conntrack.system().count(flowsTo(record, backend));
  }

  // --- steps ---

  /** Checks backends as {@link #setBackends} would, without changing anything. */
  ResolvedBackends resolveBackends(String action, PortMapping front, List<Backend> backends)
      throws HostRuntimeException {
    return resolver.resolve(action, front, backends);
  }

  /** Live flows that came through any front of {@code service} to {@code backend}. */
  static Predicate<Conntrack.Flow> flowsTo(BalancedService service, Backend backend) {
    Predicate<Conntrack.Flow> any = flow -> false;
    for (int i = 0; i < service.fronts().size(); i++) {
      any =
          any.or(
              flowsTo(service.fronts().get(i), backend.withPort(service.backendPort(backend, i))));
    }
    return any;
  }

  static Predicate<Conntrack.Flow> flowsTo(PortMapping front, Backend backend) {
    boolean anyAddress = PortMapping.ANY_HOST_IP.equals(front.hostIp());
    return flow ->
        flow.live()
            && flow.protocol().equals(front.protocol())
            && flow.original().dport() == front.hostPort()
            && (anyAddress || flow.original().dst().equals(front.hostIp()))
            && flow.reply().src().equals(backend.address())
            && flow.reply().sport() == backend.port();
  }

  private void unpublishLocked(String service) throws HostRuntimeException {
    Optional<BalancedService> record = store.read(service);
    if (record.isEmpty()) {
      return;
    }
    store.write(record.get().withState(BalancedService.UNPUBLISHING));
    if (!record.get().fronts().isEmpty()) {
      apply("unpublish service " + service);
    }
    store.delete(service);
  }

  private void undoPublish(String service, Exception failure) {
    try {
      unpublishLocked(service);
    } catch (HostRuntimeException | RuntimeException e) {
      LOG.warn("clean up after failed publish of {}: {}", service, e.getMessage());
      failure.addSuppressed(e);
    }
  }

  /**
   * The fronts checked and resolved (host port 0: a free one): none given twice, none another
   * service or container of this root publishes, each bindable.
   */
  private List<PortMapping> resolveFronts(String action, String service, List<PortMapping> fronts)
      throws HostRuntimeException {
    for (int i = 0; i < fronts.size(); i++) {
      for (int j = 0; j < i; j++) {
        PortMapping a = fronts.get(j);
        PortMapping b = fronts.get(i);
        if (a != null && b != null && !b.ephemeral() && a.clashesWith(b)) {
          throw HostRuntimeException.badInput(
              action
                  + ": host port "
                  + b.hostPort()
                  + "/"
                  + b.protocol()
                  + " is given twice ("
                  + a.describe()
                  + " and "
                  + b.describe()
                  + "); each published port needs its own host port");
        }
      }
    }
    List<BalancedService> others = new ArrayList<>(store.all());
    List<PortMapping> containers = resolver.containerPorts();
    List<PortMapping> resolved = new ArrayList<>();
    for (PortMapping front : fronts) {
      List<BalancedService> taken = new ArrayList<>(others);
      taken.add(
          new BalancedService(
              service, resolved, List.of(), List.of(), List.of(), BalancedService.PUBLISHING));
      resolved.add(FrontPorts.resolve(action, front, taken, containers));
    }
    return List.copyOf(resolved);
  }

  /** Generates the table from every active record and applies it. */
  private void apply(String action) throws HostRuntimeException {
    List<BalancedService> active = store.all().stream().filter(BalancedService::active).toList();
    nft.apply(action, NftRuleset.render(table, active));
  }

  private BalancedService requirePublished(String action, String service)
      throws HostRuntimeException {
    BalancedService record = store.read(service).orElseThrow(() -> notPublished(action, service));
    if (!record.complete()) {
      throw HostRuntimeException.conflict(
          action
              + ": the service is half "
              + (record.active() ? "published" : "unpublished")
              + " (a Stamp process was interrupted); unpublish it");
    }
    return record;
  }

  private static HostRuntimeException notPublished(String action, String service) {
    return HostRuntimeException.notFound(action + ": service " + service + " is not published");
  }

  private static void checkName(String service) throws HostRuntimeException {
    if (service == null || !SERVICE_NAME.matcher(service).matches()) {
      throw HostRuntimeException.badInput(
          "service name \""
              + service
              + "\": expected 1-63 letters, digits, '_', '.', '-' starting with a letter or digit");
    }
  }

  private static void sleep(String action, long nanos) throws HostRuntimeException {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HostRuntimeException.failed(action + ": interrupted", e);
    }
  }
}
