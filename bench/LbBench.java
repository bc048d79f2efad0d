import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.network.lb.Backend;
import dev.stamp.runtime.network.lb.ServiceLoadBalancer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk through the balancer vs one replica directly, and setBackends latency. Run as root through
 * bench/lb.
 */
public class LbBench {

  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  public static void main(String[] args) throws Exception {
    int updates = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path root = Files.createTempDirectory("stamp-bench-lb");
    ThreadLocalRandom r = ThreadLocalRandom.current();
    NetworkManager net = NetworkManager.open(new StampRoot(root));
    net.saveNetwork(
        NetworkConfig.of(
            "bridge",
            "stb" + Integer.toHexString(r.nextInt(0x100000, 0xffffff)),
            "10." + r.nextInt(200, 255) + "." + r.nextInt(256) + ".0/24"));
    ServiceLoadBalancer lb = ServiceLoadBalancer.open(new StampRoot(root), net);
    List<Process> httpds = new ArrayList<>();
    try {
      List<Backend> backends = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        NetworkAttachment a = net.attach("benchlb" + i, NetworkMode.defaultMode(), List.of());
        Path www = Files.createDirectories(root.resolve("www" + i));
        Files.writeString(www.resolve("index.html"), "replica-" + i + "\n");
        httpds.add(
            new ProcessBuilder(
                    "nsenter",
                    "--net=" + a.netnsPath().orElseThrow(),
                    "/bin/busybox",
                    "httpd",
                    "-f",
                    "-p",
                    "8080",
                    "-h",
                    www.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start());
        backends.add(Backend.of(a.ipAddress().orElseThrow(), 8080));
        awaitUp(a.ipAddress().orElseThrow(), 8080);
      }
      int port =
          lb.publish("bench", PortMapping.parse("127.0.0.1::8080"), backends).fronts().get(0).hostPort();

      double direct = wrk("http://" + backends.get(0).address() + ":8080/");
      lb.setBackends("bench", backends.subList(0, 1));
      double one = wrk("http://127.0.0.1:" + port + "/");
      lb.setBackends("bench", backends);
      double three = wrk("http://127.0.0.1:" + port + "/");
      System.out.printf("wrk -t2 -c32 -d5s, busybox httpd, 2 cores shared by client and servers%n");
      System.out.printf("  one replica directly          %9.0f req/s%n", direct);
      System.out.printf(
          "  balancer, 1 replica           %9.0f req/s  (%.2fx direct)%n", one, one / direct);
      System.out.printf(
          "  balancer, 3 replicas          %9.0f req/s  (%.2fx direct)%n", three, three / direct);

      List<Double> ms = new ArrayList<>();
      for (int i = -3; i < updates; i++) {
        List<Backend> set = i % 2 == 0 ? backends : backends.subList(0, 2);
        long t0 = System.nanoTime();
        lb.setBackends("bench", set);
        if (i >= 0) {
          ms.add((System.nanoTime() - t0) / 1e6);
        }
      }
      List<Double> s = ms.stream().sorted().toList();
      System.out.printf(
          "setBackends (nft -f, whole table): median %.1f ms, min %.1f, p90 %.1f, max %.1f"
              + " (n=%d)%n",
          s.get(s.size() / 2),
          s.get(0),
          s.get((int) (s.size() * 0.9)),
          s.get(s.size() - 1),
          s.size());
      List<Double> nftOnly = new ArrayList<>();
      for (int i = -3; i < updates; i++) {
        long t0 = System.nanoTime();
        Process p =
            new ProcessBuilder("nft", "-f", root.resolve("lb/ruleset.nft").toString()).start();
        if (p.waitFor() != 0) {
          throw new IllegalStateException("nft -f failed");
        }
        if (i >= 0) {
          nftOnly.add((System.nanoTime() - t0) / 1e6);
        }
      }
      List<Double> n = nftOnly.stream().sorted().toList();
      System.out.printf(
          "  of which the nft process alone: median %.1f ms, min %.1f (n=%d)%n",
          n.get(n.size() / 2), n.get(0), n.size());
    } finally {
      for (Process p : httpds) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (String service : lb.servicesWithState()) {
        lb.unpublish(service);
      }
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

  private static double wrk(String url) throws Exception {
    Process p =
        new ProcessBuilder("timeout", "30", "wrk", "-t2", "-c32", "-d5s", url)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher m = RPS.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("wrk " + url + ": no Requests/sec in:\n" + out);
    }
    if (out.contains("Socket errors") || out.contains("Non-2xx")) {
      System.out.println(
          "  (wrk "
              + url
              + " reported: "
              + out.replaceAll("(?s).*(Socket errors[^\n]*|Non-2xx[^\n]*).*", "$1")
              + ")");
    }
    return Double.parseDouble(m.group(1));
  }

  private static void awaitUp(String host, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 1000);
        return;
      } catch (java.io.IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }
}
