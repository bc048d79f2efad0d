package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.linux.Sha256;
import dev.stamp.runtime.network.PortMapping;
import java.util.List;

/**
 * Generates the nftables script for one state root's published services: a pure function of the
 * service records, applied with {@code nft -f} as one transaction.
 *
 * <p>The script replaces the root's whole table ({@code table ip stamp_<hash of the root path>}):
 * {@code table X {}} (create if missing), {@code delete table X}, then the new table. nftables
 * commits a batch atomically, so packets see the old table or the new one, never a mix, and
 * established connections keep their NAT bindings in conntrack whatever the rules become. With no
 * service left the script only deletes the table.
 *
 * <p>Per front of a service: a rule in the {@code prerouting} (other hosts, containers) and {@code
 * output} (this host's own clients, 127.0.0.1 included) NAT chains matches the front — {@code fib
 * daddr type local} for 0.0.0.0, else the front address — and the front port only, and jumps to the
 * front's chain ({@link #chainName(String, int)}), which DNATs to a backend chosen by {@code numgen
 * inc} (round robin; a weight-w backend owns w consecutive numbers) or, with no backend, rejects
 * (TCP reset). In {@code postrouting}, connections DNATed from a front are masqueraded when they
 * come from 127.0.0.0/8 (they could not leave the host with that source; the bridge also needs
 * {@code route_localnet}, turned on behind the root's {@link
 * dev.stamp.runtime.network.LoopbackGuard}) or from the backend's own subnet (hairpin: a container
 * reaching the service through the host). Every front of a service is generated from the one
 * backend set, so a change of backends switches all of them in the same transaction. A service
 * without fronts has no rules at all.
 */
final class NftRuleset {

  static final String FAMILY = "ip";
  static final String PREFIX = "stamp_";
  private static final int ROOT_HASH_HEX = 10;

  private NftRuleset() {}

  /** {@code stamp_} and 10 hex digits of SHA-256 of the root path: one table per state root. */
  static String tableName(StampRoot root) {
    return PREFIX + Sha256.hex(root.path().toString()).substring(0, ROOT_HASH_HEX);
  }

  /**
   * {@code svc_NAME_HASH}: the service name with anything but letters, digits and '_' replaced by
   * '_', and 8 hex digits of its hash so that {@code web-1} and {@code web_1} stay apart.
   */
  static String chainName(String service) {
    String cleaned = service.replaceAll("[^a-zA-Z0-9_]", "_");
    return "svc_" + cleaned + "_" + Sha256.hex(service).substring(0, 8);
  }

  /**
   * The chain of the service's front {@code index}: {@link #chainName(String)} for the first (as
   * before services had several), {@code _pN} (N = index + 1) appended for the others.
   */
  static String chainName(String service, int index) {
    return index == 0 ? chainName(service) : chainName(service) + "_p" + (index + 1);
  }

  /** The whole script for the table {@code table}, carrying {@code services} in order. */
  static String render(String table, List<BalancedService> all) {
    List<BalancedService> services = all.stream().filter(s -> !s.fronts().isEmpty()).toList();
    StringBuilder out = new StringBuilder();
    out.append("table ").append(FAMILY).append(' ').append(table).append(" {}\n");
    out.append("delete table ").append(FAMILY).append(' ').append(table).append('\n');
    if (services.isEmpty()) {
      return out.toString();
    }
    out.append("table ").append(FAMILY).append(' ').append(table).append(" {\n");
    out.append("  comment \"Stamp published services (dev.stamp.runtime.network.lb)\"\n");
    baseChain(out, "prerouting", "type nat hook prerouting priority dstnat", services, true);
    baseChain(out, "output", "type nat hook output priority -100", services, true);
    baseChain(out, "postrouting", "type nat hook postrouting priority srcnat", services, false);
    for (BalancedService service : services) {
      serviceChain(out, service);
    }
    out.append("}\n");
    return out.toString();
  }

  private static void baseChain(
      StringBuilder out, String name, String hook, List<BalancedService> services, boolean dnat) {
    out.append("  chain ").append(name).append(" {\n");
    out.append("    ").append(hook).append("; policy accept;\n");
    for (BalancedService service : services) {
      for (int i = 0; i < service.fronts().size(); i++) {
        if (dnat) {
          out.append("    ").append(frontMatch(service.fronts().get(i)));
          out.append(" jump ").append(chainName(service.name(), i)).append('\n');
        } else if (!service.backends().isEmpty()) {
          masquerade(out, service, service.fronts().get(i));
        }
      }
    }
    out.append("  }\n");
  }

  private static void masquerade(StringBuilder out, BalancedService service, PortMapping front) {
    String fromFront = fromFront(front);
    out.append("    ").append(fromFront).append(" ip saddr 127.0.0.0/8 masquerade\n");
    for (String subnet : service.subnets()) {
      out.append("    ").append(fromFront);
      out.append(" ip saddr ").append(subnet).append(" ip daddr ").append(subnet);
      out.append(" masquerade\n");
    }
  }

  private static void serviceChain(StringBuilder out, BalancedService service) {
    for (int i = 0; i < service.fronts().size(); i++) {
      frontChain(out, service, i);
    }
  }

  private static void frontChain(StringBuilder out, BalancedService service, int index) {
    PortMapping front = service.fronts().get(index);
    out.append("  chain ").append(chainName(service.name(), index)).append(" {\n");
    out.append("    comment \"service ")
        .append(service.name())
        .append(' ')
        .append(front.hostIp())
        .append(':')
        .append(front.hostPort())
        .append('/')
        .append(front.protocol())
        .append("\"\n");
    out.append("    ").append(service.backends().isEmpty() ? refuse(front) : dnat(service, index));
    out.append("\n  }\n");
  }

  /** {@code fib daddr type local meta l4proto tcp th dport 8080}, or {@code ip daddr A ...}. */
  static String frontMatch(PortMapping front) {
    String address =
        PortMapping.ANY_HOST_IP.equals(front.hostIp())
            ? "fib daddr type local"
            : "ip daddr " + front.hostIp();
    return address + " meta l4proto " + front.protocol() + " th dport " + front.hostPort();
  }

  /** Matches connections whose original destination was the front and that were DNATed. */
  private static String fromFront(PortMapping front) {
    String match =
        "meta l4proto "
            + front.protocol()
            + " ct status dnat ct original proto-dst "
            + front.hostPort();
    return PortMapping.ANY_HOST_IP.equals(front.hostIp())
        ? match
        : match + " ct original ip daddr " + front.hostIp();
  }

  private static String refuse(PortMapping front) {
    return "tcp".equals(front.protocol()) ? "reject with tcp reset" : "reject";
  }

  /** {@link #dnat(BalancedService, int)} of the first front. */
  static String dnat(BalancedService service) {
    return dnat(service, 0);
  }

  /**
   * Round robin over the weighted backends for front {@code index}: backend i owns numbers [from,
   * from + weight).
   */
  static String dnat(BalancedService service, int index) {
    List<Backend> backends = service.backends();
    int total = backends.stream().mapToInt(Backend::weight).sum();
    StringBuilder map = new StringBuilder();
    int from = 0;
    for (Backend backend : backends) {
      int to = from + backend.weight() - 1;
      map.append(map.length() == 0 ? "" : ", ");
      map.append(from == to ? String.valueOf(from) : from + "-" + to);
      map.append(" : ").append(backend.address()).append(" . ");
      map.append(service.backendPort(backend, index));
      from = to + 1;
    }
    return "meta l4proto "
        + service.fronts().get(index).protocol()
        + " dnat ip addr . port to numgen inc mod "
        + total
        + " map { "
        + map
        + " }";
  }
}
