package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.TestNetworks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: N "replicas" of a service, each a network namespace attached through the real
 * {@link NetworkManager} to a bridge and /24 of its own, serving with busybox (run by {@code
 * nsenter}, in the tests only): {@code httpd} on 8080 answering {@code replica-I}, and on demand a
 * line echo on 9000 answering {@code replica-I LINE} on a connection held open.
 */
final class Replicas implements AutoCloseable {

  static final int HTTP_PORT = 8080;
  static final int ECHO_PORT = 9000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final NetworkManager net;
  private final NetworkConfig network;
  private final List<NetworkAttachment> attachments = new ArrayList<>();
  private final Map<String, Process> processes = new HashMap<>();

  private Replicas(Path dir, NetworkManager net, NetworkConfig network) {
    this.dir = dir;
    this.net = net;
    this.network = network;
  }

  /** Attaches {@code count} namespaces under {@code root} and starts their httpd. */
  static Replicas start(Path root, Path dir, int count) throws Exception {
    NetworkManager net = NetworkManager.open(new StampRoot(root));
    NetworkConfig network = net.saveNetwork(uniqueNetwork());
    Replicas replicas = new Replicas(dir, net, network);
    try {
      for (int i = 0; i < count; i++) {
        String id = "lb" + hex(6) + "r" + i;
        replicas.attachments.add(net.attach(id, NetworkMode.defaultMode(), List.of()));
        Path www = Files.createDirectories(dir.resolve("www" + i));
        Files.writeString(www.resolve("index.html"), name(i) + "\n");
        replicas.startHttpd(i);
      }
      for (int i = 0; i < count; i++) {
        replicas.awaitUp(i, HTTP_PORT);
      }
      return replicas;
    } catch (Exception | AssertionError e) {
      replicas.close();
      throw e;
    }
  }

  NetworkManager net() {
    return net;
  }

  NetworkConfig network() {
    return network;
  }

  static String name(int i) {
    return "replica-" + i;
  }

  String address(int i) {
    return attachments.get(i).ipAddress().orElseThrow();
  }

  Backend backend(int i) throws Exception {
    return Backend.of(address(i), HTTP_PORT);
  }

  Backend echoBackend(int i) throws Exception {
    return Backend.of(address(i), ECHO_PORT);
  }

  Path netns(int i) {
    return attachments.get(i).netnsPath().orElseThrow();
  }

  void startHttpd(int i) throws Exception {
    start(
        "httpd" + i,
        i,
        "/bin/busybox",
        "httpd",
        "-f",
        "-p",
        String.valueOf(HTTP_PORT),
        "-h",
        dir.resolve("www" + i).toString());
  }

  void stopHttpd(int i) throws Exception {
    stop("httpd" + i);
  }

  /** A persistent line echo on 9000: each connection gets a shell answering "replica-I LINE". */
  void startEcho(int i) throws Exception {
    Path script = dir.resolve("echo" + i + ".sh");
    Files.writeString(
        script, "#!/bin/busybox sh\nwhile read -r line; do echo \"" + name(i) + " $line\"; done\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    start(
        "echo" + i,
        i,
        "/bin/busybox",
        "nc",
        "-ll",
        "-p",
        String.valueOf(ECHO_PORT),
        "-e",
        script.toString());
    awaitUp(i, ECHO_PORT);
  }

  private void start(String key, int i, String... command) throws IOException {
    List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + netns(i)));
    argv.addAll(List.of(command));
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    processes.put(key, p);
  }

  private void stop(String key) throws InterruptedException {
    Process p = processes.remove(key);
    if (p != null) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Waits until the replica accepts connections on {@code port} (15 s at most). */
  void awaitUp(int i, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(address(i), port), 1000);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(name(i) + " never listened on " + port, e);
        }
        Thread.sleep(20);
      }
    }
  }

  @Override
  public void close() throws Exception {
    for (String key : List.copyOf(processes.keySet())) {
      stop(key);
    }
    for (String id : net.containersWithNetworkState()) {
      net.detach(id);
    }
    net.removeNetwork(network.name());
  }

  // --- HTTP through a raw socket: one fresh connection per request, no keep-alive ---

  /** {@code GET /} on {@code host:port}; the body, or an IOException when the connection fails. */
  static String get(String host, int port) throws IOException {
    return HttpFetch.getOnNewConnection(host, port, "/").strip();
  }

  // --- a bridge and /24 no host route overlaps ---

  private static NetworkConfig uniqueNetwork() throws Exception {
    TestNetworks.Net n = TestNetworks.unique();
    return NetworkConfig.of("bridge", n.bridge(), n.subnet());
  }

  /** {network, prefix} of each IPv4 route of the host but the default one. */
  private static List<long[]> routes() throws IOException {
    List<long[]> routes = new ArrayList<>();
    List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      long dest = Integer.toUnsignedLong(Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16)));
      int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
      int prefix = Integer.bitCount(mask);
      if (prefix > 0) {
        routes.add(new long[] {dest, prefix});
      }
    }
    return routes;
  }

  private static boolean overlaps(long a, int aPrefix, long b, int bPrefix) {
    int common = Math.min(aPrefix, bPrefix);
    long mask = (0xffffffffL << (32 - common)) & 0xffffffffL;
    return (a & mask) == (b & mask);
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Runs a host command; its output, failing on a non-zero exit. */
  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(List.of(command) + " failed: " + out);
    }
    return out;
  }
}
