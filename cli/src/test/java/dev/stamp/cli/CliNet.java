package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Test fixture for the networking ITs: a state root whose {@code bridge} network has a bridge and a
 * /24 of its own (helpers share this machine), the CLI as a separate process, one-connection HTTP
 * GETs, and the clean-up that proves nothing is left.
 */
final class CliNet {

  private static final SecureRandom RANDOM = new SecureRandom();

  record Result(int code, String out, String err) {}

  final Path tmp;
  final Path root;
  final ContainerRuntime runtime;
  final NetworkManager net;

  CliNet(Path tmp) throws Exception {
    this.tmp = tmp;
    this.root = tmp.resolve("root");
    StampRoot stampRoot = new StampRoot(root);
    this.net = NetworkManager.open(stampRoot);
    net.saveNetwork(uniqueNetwork());
    this.runtime = ContainerRuntime.open(stampRoot);
  }

  /** A bridge named stc + 6 hex digits on a 10.2xx.yyy.0/24 that no host route overlaps. */
  static NetworkConfig uniqueNetwork() throws Exception {
    List<String> routes = Files.readAllLines(Path.of("/proc/net/route"));
    for (int attempt = 0; attempt < 100; attempt++) {
      int second = 200 + RANDOM.nextInt(55);
      int third = RANDOM.nextInt(256);
      String hexNet = String.format("%02X%02X%02X%02X", 0, third, second, 10);
      if (routes.stream().noneMatch(l -> l.contains(hexNet))) {
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        return NetworkConfig.of(
            "bridge",
            "stc" + HexFormat.of().formatHex(suffix),
            "10." + second + "." + third + ".0/24");
      }
    }
    throw new IllegalStateException("no free 10.2xx.yyy.0/24");
  }

  Result run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(StampCli.class.getName());
    cmd.add("--root");
    cmd.add(root.toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("stamp %s finished", List.of(args)).isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** {@code GET path} on its own connection (so each request is balanced anew); the body. */
  static String get(String host, int port, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int body = response.indexOf("\r\n\r\n");
      return body < 0 ? response : response.substring(body + 4);
    }
  }

  /** Polls {@code condition} every 100 ms for up to {@code seconds}; whether it became true. */
  static boolean await(int seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  /** The container's first process's view of a file (its mount namespace, via /proc). */
  String readInside(String container, String path) {
    try {
      int pid = runtime.inspect(container).state().process().orElseThrow().pid();
      return Files.readString(Path.of("/proc/" + pid + "/root" + path));
    } catch (Exception e) {
      return "";
    }
  }

  /** Removes every container and the bridge; then nothing of the root is mounted or attached. */
  void cleanUp() throws Exception {
    for (ContainerInfo i : runtime.list(true)) {
      runtime.remove(i.id(), true);
    }
    assertThat(net.containersWithNetworkState()).isEmpty();
    net.removeNetwork("bridge");
    assertThat(Mountinfo.read().anyUnder(root)).isFalse();
  }
}
