package dev.stamp.runtime.network.lb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;

/** Healthy when a TCP connection to the backend is accepted within the timeout. */
public final class TcpProbe implements HealthProbe {

  @Override
  public ProbeResult probe(Backend backend, Duration timeout) {
    Instant start = Instant.now();
    long t0 = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(address(backend), timeoutMillis(timeout));
      return ProbeResult.passed("connected", start, Duration.ofNanos(System.nanoTime() - t0));
    } catch (IOException e) {
      return ProbeResult.failed(
          "connect " + backend.endpoint() + ": " + e.getMessage(),
          start,
          Duration.ofNanos(System.nanoTime() - t0));
    }
  }

  @Override
  public String describe() {
    return "tcp";
  }

  /** The literal address as bytes: never a name lookup. */
  static InetSocketAddress address(Backend backend) throws IOException {
    String[] octets = backend.address().split("\\.");
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      bytes[i] = (byte) Integer.parseInt(octets[i]);
    }
    return new InetSocketAddress(InetAddress.getByAddress(bytes), backend.port());
  }

  static int timeoutMillis(Duration timeout) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }
}
