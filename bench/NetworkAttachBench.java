import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bridge attach and detach latency (NetworkManager, real netns + CNI plugins), median of N after
 * warm-up, without and with one published port. Run as root through bench/network-attach.
 */
public class NetworkAttachBench {

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Path root = Files.createTempDirectory("stamp-bench-net");
    NetworkManager net = NetworkManager.open(new StampRoot(root));
    ThreadLocalRandom r = ThreadLocalRandom.current();
    net.saveNetwork(
        NetworkConfig.of(
            "bridge",
            "stb" + Integer.toHexString(r.nextInt(0x100000, 0xffffff)),
            "10." + r.nextInt(200, 255) + "." + r.nextInt(256) + ".0/24"));
    try {
      measure(net, "bridge, no ports", List.of(), runs);
      measure(net, "bridge, -p 0:8080", List.of(PortMapping.parse("8080")), runs);
      // the bridge now has route_localnet (portmap): the first attach applies the loopback guard
      measure(net, "no ports, localnet", List.of(), runs);
    } finally {
      for (String id : net.containersWithNetworkState()) {
        net.detach(id);
      }
      net.removeNetwork("bridge");
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static void measure(NetworkManager net, String label, List<PortMapping> ports, int runs)
      throws Exception {
    List<Double> attach = new ArrayList<>();
    List<Double> detach = new ArrayList<>();
    for (int i = -3; i < runs; i++) {
      String id = "bench" + i + "x" + System.nanoTime();
      long t0 = System.nanoTime();
      NetworkAttachment a = net.attach(id, NetworkMode.defaultMode(), ports);
      long t1 = System.nanoTime();
      net.detach(id);
      long t2 = System.nanoTime();
      if (a.ipAddress().isEmpty()) {
        throw new IllegalStateException("no address");
      }
      if (i >= 0) {
        attach.add((t1 - t0) / 1e6);
        detach.add((t2 - t1) / 1e6);
      }
    }
    System.out.printf(
        "%-20s attach median %6.1f ms (min %6.1f, max %6.1f)   detach median %6.1f ms (min %6.1f,"
            + " max %6.1f)   n=%d%n",
        label,
        median(attach),
        min(attach),
        max(attach),
        median(detach),
        min(detach),
        max(detach),
        runs);
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
  }

  private static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }
}
