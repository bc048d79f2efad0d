package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.testkit.TestNetworks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test fixture: unique bridge networks (tests of several helpers share this machine), host-side
 * observations through the standard tools ({@code ip}, {@code iptables-save}, {@code nsenter}), and
 * HTTP fetches. Only the tests use these tools; Stamp itself never runs them.
 */
final class HostNet {

  private static final SecureRandom RANDOM = new SecureRandom();

  private HostNet() {}

  /** The network {@code name} on a bridge and /24 of its own ({@link TestNetworks}). */
  static NetworkConfig uniqueNetwork(String name) throws Exception {
    TestNetworks.Net n = TestNetworks.unique();
    return NetworkConfig.of(name, n.bridge(), n.subnet());
  }

  /** Destinations of the host's IPv4 routes (default route excluded), from /proc/net/route. */
  static List<Subnet> routedSubnets() throws IOException {
    List<Subnet> subnets = new ArrayList<>();
    List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      int dest = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
      int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
      int prefix = Integer.bitCount(mask);
      if (prefix > 0) {
        subnets.add(new Subnet(dest & mask, prefix));
      }
    }
    return subnets;
  }

  /** Runs a host command; returns stdout, failing the test on a non-zero exit. */
  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
    return out;
  }

  /** Starts busybox httpd serving {@code dir} on port 8080 inside the namespace file. */
  static Process httpdIn(Path netns, Path dir) throws IOException {
    return new ProcessBuilder(
            "nsenter",
            "--net=" + netns,
            "/bin/busybox",
            "httpd",
            "-f",
            "-p",
            "8080",
            "-h",
            dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** The host's non-loopback IPv4 addresses outside Stamp test bridges. */
  static List<String> otherHostAddresses() throws Exception {
    List<String> addresses = new ArrayList<>();
    for (String line : run("ip", "-4", "-o", "addr", "show").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 3
          && !f[1].equals("lo")
          && !f[1].startsWith("stt")
          && !f[1].startsWith("stamp")) {
        addresses.add(f[3].substring(0, f[3].indexOf('/')));
      }
    }
    return addresses;
  }

  /** Interfaces enslaved to {@code bridge} (the host ends of the containers' veths). */
  static List<String> bridgePorts(String bridge) throws Exception {
    List<String> ports = new ArrayList<>();
    if (!linkExists(bridge)) {
      return ports;
    }
    for (String line : run("ip", "-o", "link", "show", "master", bridge).split("\n")) {
      if (!line.isBlank()) {
        String name = line.split(":\\s+")[1];
        ports.add(name.contains("@") ? name.substring(0, name.indexOf('@')) : name);
      }
    }
    return ports;
  }

  /**
   * The bridge's ports once none is left or 10 s have passed: a namespace that lost its last
   * reference is destroyed by the kernel asynchronously, and its veths with it.
   */
  static List<String> bridgePortsOnceSettled(String bridge) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> ports = bridgePorts(bridge);
    while (!ports.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      ports = bridgePorts(bridge);
    }
    return ports;
  }

  static boolean linkExists(String name) throws Exception {
    Process p = new ProcessBuilder("ip", "link", "show", name).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  /**
   * Every trace of {@code containerId} on the host and in the root, empty when fully cleaned: its
   * namespace file, record, iptables rules, address lease (veths: see {@link #bridgePorts}).
   */
  static List<String> leftovers(NetworkManager net, String containerId, Path root)
      throws Exception {
    List<String> found = new ArrayList<>();
    if (Files.exists(net.netnsPath(containerId))) {
      found.add("netns file " + net.netnsPath(containerId));
    }
    if (Files.exists(root.resolve("networks/attachments/" + containerId + ".json"))) {
      found.add("attachment record");
    }
    for (String line : run("iptables-save").split("\n")) {
      if (line.contains(containerId)) {
        found.add("iptables: " + line);
      }
    }
    Path ipam = root.resolve("networks/ipam");
    if (Files.isDirectory(ipam)) {
      try (Stream<Path> files = Files.walk(ipam)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          if (Files.readString(f).contains(containerId)) {
            found.add("address lease " + f.getFileName());
          }
        }
      }
    }
    return found;
  }

  /** The namespace's eth0 IPv4 address with prefix, seen from inside with {@code ip}. */
  static String addressInside(Path netns) throws Exception {
    String out = run("nsenter", "--net=" + netns, "ip", "-4", "-o", "addr", "show", "dev", "eth0");
    return out.trim().split("\\s+")[3];
  }

  static HostRuntimeException.Kind kindOf(Throwable t) {
    return ((HostRuntimeException) t).kind();
  }
}
