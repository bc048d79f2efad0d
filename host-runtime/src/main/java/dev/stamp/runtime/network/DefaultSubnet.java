package dev.stamp.runtime.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Picks the default network's subnet the first time it is used, as Docker picks from its address
 * pool: the first of {@code 10.88.0.0/16, 10.89.0.0/16, … 10.127.0.0/16} that no route on another
 * interface overlaps. Podman's default network is also {@code 10.88.0.0/16}; two bridges on one
 * subnet make the host route replies to the wrong one, so a clash must be avoided, not shared.
 */
final class DefaultSubnet {

  private static final Path ROUTES = Path.of("/proc/net/route");
  private static final int FIRST = 88;
  private static final int LAST = 127;
  private static final java.util.regex.Pattern BLANKS = java.util.regex.Pattern.compile("\\s+");

  private DefaultSubnet() {}

  /** A route of the host: the interface and the destination it covers. */
  record Route(String iface, Subnet destination) {}

  /** The subnet for a bridge called {@code bridge} given the host's routing table. */
  static String pick(String bridge) {
    return pick(bridge, routes());
  }

  static String pick(String bridge, List<Route> routes) {
    return pick(bridge, routes, s -> true);
  }

  /** The first candidate no route of another interface overlaps and {@code free} accepts. */
  static String pick(String bridge, List<Route> routes, java.util.function.Predicate<String> free) {
    for (int second = FIRST; second <= LAST; second++) {
      Subnet candidate = Subnet.parseTrusted("10." + second + ".0.0/16");
      if (!free.test(candidate.toString())) {
        continue;
      }
      boolean clash =
          routes.stream()
              .anyMatch(
                  r ->
                      !r.iface().equals(bridge)
                          && r.destination().prefix() > 0
                          && r.destination().overlaps(candidate));
      if (!clash) {
        return candidate.toString();
      }
    }
    return NetworkConfig.DEFAULT_SUBNET;
  }

  /** The IPv4 routing table; empty when unreadable (the default subnet is then the first). */
  static List<Route> routes() {
    try {
      return parse(Files.readAllLines(ROUTES));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Parses /proc/net/route: addresses are little-endian hex. */
  static List<Route> parse(List<String> lines) {
    List<Route> routes = new ArrayList<>();
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = BLANKS.split(line.trim()); // compiled once, not per line
      if (f.length < 8) {
        continue;
      }
      parseRoute(f[0], f[1], f[7]).ifPresent(routes::add);
    }
    return routes;
  }

  private static Optional<Route> parseRoute(String iface, String destHex, String maskHex) {
    try {
      int dest = Integer.reverseBytes((int) Long.parseLong(destHex, 16));
      int mask = Integer.reverseBytes((int) Long.parseLong(maskHex, 16));
      return Optional.of(new Route(iface, new Subnet(dest & mask, Integer.bitCount(mask))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
