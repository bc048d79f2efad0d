package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.linux.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps host loopback out of reach of containers (the class of CVE-2020-8558): with {@code
 * route_localnet} on a bridge, which {@code -p 127.0.0.1:H:C} and the load balancer's loopback
 * fronts need, the kernel also delivers a hand-made packet for 127.0.0.1 that a container holding
 * {@code CAP_NET_RAW} sends to the gateway's MAC address, so any host service listening on loopback
 * only would answer it. The guard is Kubernetes' fix in nftables: in the {@code input} hook, a
 * packet for 127.0.0.0/8 that did not arrive on {@code lo} is dropped unless its connection was
 * DNATed ({@code ct status dnat}: the published ports and the replies of their connections).
 *
 * <p>It lives in a table of its own per state root, {@code table ip stamp_localnet_<10 hex of the
 * root path's sha256>} (the load balancer's {@code stamp_<hash>} is replaced whole with each change
 * of services and removed with the last one; the guard must stay as long as a bridge of the root
 * does). It matches every interface but {@code lo}, not only the root's bridges: a bridge a network
 * file no longer names keeps its {@code route_localnet}, and without {@code route_localnet} such
 * packets are already martians that never reach {@code input}. Not DNATed also means not tracked: a
 * packet conntrack ignores or finds invalid is dropped too. The table is applied whole in one
 * {@code nft -f} transaction (creating it is idempotent): before each load-balancer change that
 * turns {@code route_localnet} on, and before the first attach (per bridge and process, see {@link
 * #beforeAttach}) that publishes ports (CNI's portmap turns it on) or joins a bridge that has it on
 * already. {@link NetworkManager#removeNetwork} deletes it once the root has neither a bridge on
 * the host nor a container attached.
 */
public final class LoopbackGuard {

  static final String PREFIX = "stamp_localnet_";
  private static final int ROOT_HASH_HEX = 10;

  private final String table;
  private final Nft nft;

  /** {@code bridge#ifindex} of the bridges this instance saw with route_localnet and the guard. */
  private final Set<String> checked = ConcurrentHashMap.newKeySet();

  private LoopbackGuard(String table, Nft nft) {
    this.table = table;
    this.nft = nft;
  }

  /** The guard of {@code root}; changes nothing until {@link #ensure} or a route_localnet. */
  public static LoopbackGuard of(StampRoot root) {
    return new LoopbackGuard(
        tableName(root), new Nft(root.path().resolve("networks").resolve("localnet.nft")));
  }

  /** {@code stamp_localnet_} and 10 hex digits of SHA-256 of the root path. */
  public static String tableName(StampRoot root) {
    return PREFIX + Sha256.hex(root.path().toString()).substring(0, ROOT_HASH_HEX);
  }

  /** The nftables table ({@code ip} family) carrying the guard. */
  public String tableName() {
    return table;
  }

  /**
   * Installs the guard (or puts it back as it should be); FAILED when nft refuses or is missing.
   */
  public void ensure(String action) throws HostRuntimeException {
    nft.apply(action + ": guard host loopback (nftables table " + table + ")", script(table));
  }

  /**
   * Turns {@code route_localnet} on for each of {@code bridges}, the guard first: never one without
   * the other. No bridges: nothing at all.
   */
  public void enableRouteLocalnet(String action, List<String> bridges) throws HostRuntimeException {
    if (bridges.isEmpty()) {
      return;
    }
    ensure(action);
    for (String bridge : bridges) {
      RouteLocalnet.enable(bridge);
    }
  }

  /**
   * {@link #ensure} before an attach to {@code bridge}, when the bridge already has route_localnet
   * on or the attach publishes ports (CNI's portmap turns it on): once per bridge (by interface
   * index, so a bridge deleted and made again counts as new) for this instance, which is what a
   * long-lived process (the agent) attaches through; a process attaching once pays one {@code nft
   * -f}. A bridge without route_localnet, joined without ports, needs nothing. A guard deleted
   * behind Stamp's back ({@code nft flush ruleset}) comes back with the next process, the next new
   * bridge, or the next load-balancer change ({@link #enableRouteLocalnet} always applies it).
   */
  void beforeAttach(String bridge, boolean publishesPorts, String action)
      throws HostRuntimeException {
    if (!publishesPorts && !RouteLocalnet.isOn(bridge)) {
      return;
    }
    String index = ifindex(bridge);
    String key = index == null ? null : bridge + "#" + index;
    if (key != null && checked.contains(key)) {
      return;
    }
    ensure(action);
    if (key != null) {
      checked.add(key);
    }
  }

  /** Deletes the table, if it exists. */
  void remove(String action) throws HostRuntimeException {
    checked.clear();
    nft.apply(
        action + ": remove the loopback guard (nftables table " + table + ")", removal(table));
  }

  /** The whole table, replacing whatever the table held, in one transaction. */
  static String script(String table) {
    String localnet = "iifname != \"lo\" ip daddr 127.0.0.0/8";
    return removal(table)
        + "table ip "
        + table
        + " {\n"
        + "  comment \"Stamp: host loopback is not reachable from bridges"
        + " (dev.stamp.runtime.network.LoopbackGuard)\"\n"
        + "  chain input {\n"
        + "    type filter hook input priority filter; policy accept;\n"
        + "    "
        + localnet
        + " ct status dnat accept\n"
        + "    "
        + localnet
        + " counter drop comment \"for 127.0.0.0/8, not from lo, not DNATed (CVE-2020-8558)\"\n"
        + "  }\n"
        + "}\n";
  }

  /** Creates the table if missing and deletes it: idempotent, whether or not it existed. */
  static String removal(String table) {
    return "table ip " + table + " {}\ndelete table ip " + table + "\n";
  }

  /** The bridge's interface index, null when it does not exist (yet). */
  private static String ifindex(String bridge) {
    try {
      return Files.readString(Path.of("/sys/class/net", bridge, "ifindex")).strip();
    } catch (IOException e) {
      return null;
    }
  }
}
