import dev.stamp.agent.AgentConfig;
import dev.stamp.agent.AgentMetrics;
import dev.stamp.agent.AgentServer;
import dev.stamp.agent.EventLog;
import dev.stamp.agent.HostEngine;
import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.TestNetworks;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Replaces a service under wrk load through the agent. Run as root through bench/zero-downtime. */
public class ZeroDowntimeBench {

  static final String TOKEN = "zero-downtime-bench-token-0123";
  static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  static final Pattern SOCKET = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");

  public static void main(String[] args) throws Exception {
    int replaces = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int replicas = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Path tmp = Files.createTempDirectory("stamp-bench-zd");
    StampRoot root = new StampRoot(tmp.resolve("root"));
    TestNetworks.Net net = TestNetworks.unique();
    NetworkManager networks = NetworkManager.open(root);
    networks.saveNetwork(NetworkConfig.of("bridge", net.bridge(), net.subnet()));
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    String image =
        new RootfsImporter(ImageStore.open(root), Map.of())
            .importTar(BusyboxRootfs.tar(rootfs, tmp.resolve("rootfs.tar")), ImageReference.parse("bench/web:1"), List.of())
            .manifestDigest()
            .toString();
    Path token = tmp.resolve("token");
    Files.writeString(token, TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    AgentConfig config = new AgentConfig(root, "127.0.0.1", 0, token, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    EventLog events = new EventLog(Clock.systemUTC());
    AgentMetrics metrics = new AgentMetrics();
    HostEngine engine = HostEngine.open(config, events, metrics);
    AgentServer server = AgentServer.start(config, engine, events, metrics);
    AgentClient client = new AgentClient(server.uri(), TOKEN);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try {
      int version = 0;
      client.putService("web", spec(image, port, version, replicas, 1));
      await(client, 1);
      String url = "http://127.0.0.1:" + port + "/index.html";
      int seconds = replaces * 3 * replicas * (parallelism > 1 ? 2 : 1) + 5;
      Process wrk = new ProcessBuilder("wrk", "-t2", "-c4", "-d" + seconds + "s", url).redirectErrorStream(true).start();
      Thread.sleep(1000);
      if (parallelism > 1) { // the same replaces one replica at a time first, for the ratio
        List<Long> oneAtATime = new ArrayList<>();
        for (int i = 1; i <= replaces; i++) {
          long t0 = System.nanoTime();
          client.putService("web", spec(image, port, ++version, replicas, 1));
          await(client, version + 1);
          oneAtATime.add((System.nanoTime() - t0) / 1_000_000);
        }
        Collections.sort(oneAtATime);
        System.out.printf("%d replicas, parallelism 1: replace p50 %d ms, max %d ms%n", replicas,
            oneAtATime.get(oneAtATime.size() / 2), oneAtATime.get(oneAtATime.size() - 1));
        oneAtATimeP50 = oneAtATime.get(oneAtATime.size() / 2);
      }
      List<Long> latencies = new ArrayList<>();
      for (int i = 1; i <= replaces; i++) {
        long t0 = System.nanoTime();
        client.putService("web", spec(image, port, ++version, replicas, parallelism));
        await(client, version + 1);
        latencies.add((System.nanoTime() - t0) / 1_000_000);
      }
      String underReplace = new String(wrk.getInputStream().readAllBytes());
      wrk.waitFor();
      // throughput: the published port against the replica's own address, no replaces
      ServiceStatus s = client.service("web").orElseThrow();
      String replica = networks.attachment(s.replicas().get(0).container()).orElseThrow().ipAddress().orElseThrow();
      double viaPort = rps(wrk("http://127.0.0.1:" + port + "/index.html"));
      double direct = rps(wrk("http://" + replica + ":80/index.html"));
      Collections.sort(latencies);
      System.out.printf("replaces under load: %d of %d replica(s), parallelism %d (wrk -t2 -c4 against the published port)%n", replaces, replicas, parallelism);
      System.out.printf("  requests: %s, non-2xx: %s, socket errors: %s%n",
          group(TOTAL, underReplace, 1), Optional.ofNullable(group(NON2XX, underReplace, 1)).orElse("0"),
          Optional.ofNullable(SOCKET.matcher(underReplace)).filter(Matcher::find).map(m -> "connect " + m.group(1) + ", read " + m.group(2) + ", write " + m.group(3) + ", timeout " + m.group(4)).orElse("0"));
      System.out.printf("  replace latency (PUT -> old container stopped): p50 %d ms, max %d ms (health interval 0.2 s)%n",
          latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1));
      if (oneAtATimeP50 > 0) {
        System.out.printf("  parallelism %d vs 1: replace p50 %d ms vs %d ms, ratio %.2fx%n", parallelism,
            latencies.get(latencies.size() / 2), oneAtATimeP50, latencies.get(latencies.size() / 2) / (double) oneAtATimeP50);
      }
      System.out.printf("throughput: published port %.0f req/s, replica direct %.0f req/s, ratio %.2fx%n", viaPort, direct, viaPort / direct);
    } finally {
      try {
        client.deleteService("web");
        for (int i = 0; i < 300 && client.service("web").isPresent(); i++) {
          Thread.sleep(100);
        }
      } finally {
        server.close();
        engine.close();
        ContainerRuntime runtime = ContainerRuntime.open(root);
        for (var c : runtime.list(true)) {
          runtime.remove(c.id(), true);
        }
        networks.removeNetwork("bridge");
        new ProcessBuilder("umount", root.path().resolve("agent/secrets").toString()).start().waitFor();
        new ProcessBuilder("rm", "-rf", tmp.toString()).start().waitFor(); // nothing left in /tmp
      }
    }
  }

  /** The p50 of the same replaces one replica at a time (0: not measured). */
  static long oneAtATimeP50;

  static ServiceSpec spec(String image, int port, int version, int replicas, int parallelism) {
    return new ServiceSpec(
        image,
        List.of("sh", "-c", "mkdir -p /w; echo v" + version + " > /w/index.html; exec httpd -f -p 80 -h /w"),
        null, Map.of("VERSION", Integer.toString(version)),
        List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")), null, null, null, null, null, null,
        true, // init: stamp-init passes SIGTERM on (httpd as PID 1 would ignore it for the grace period)
        new ServiceSpec.Healthcheck(List.of("HTTP", "/index.html"), "PT0.2S", "PT1S", 2, "PT10S", "PT0.05S"),
        replicas, new ServiceSpec.Update(null, parallelism, null), null, "PT1S", null);
  }

  static void await(AgentClient client, long generation) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      ServiceStatus s = client.service("web").orElseThrow();
      if (s.observedGeneration() >= generation && "running".equals(s.state())) {
        return;
      }
      if (s.lastError() != null && s.lastError().generation() == generation) {
        throw new IllegalStateException("generation " + generation + " failed: " + s.lastError());
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("generation " + generation + " never ran");
  }

  static String wrk(String url) throws Exception {
    Process p = new ProcessBuilder("wrk", "-t2", "-c4", "-d8s", url).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out;
  }

  static double rps(String wrkOutput) {
    Matcher m = RPS.matcher(wrkOutput);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  static String group(Pattern p, String text, int g) {
    Matcher m = p.matcher(text);
    return m.find() ? m.group(g) : null;
  }
}
