package dev.stamp.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A bridge and subnet no other test and no route of this host uses: tests of several engineers and
 * CI runs share the machine, so each test gives its state root's networks their own.
 */
public final class TestNetworks {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A bridge name ({@code stt} + 6 hex) and a /24 in 10.200-254.x.0/24 that no route overlaps. */
  public record Net(String bridge, String subnet) {}

  private TestNetworks() {}

  public static Net unique() {
    List<long[]> routed = routes();
    for (int attempt = 0; attempt < 200; attempt++) {
      int b = 200 + RANDOM.nextInt(55);
      int c = RANDOM.nextInt(256);
      long net = (10L << 24) | ((long) b << 16) | ((long) c << 8);
      boolean clash = false;
      for (long[] r : routed) {
        long mask = r[1] == 0 ? 0 : (0xffffffffL << (32 - r[1])) & 0xffffffffL;
        long common =
            Math.min(r[1], 24) == 0 ? 0 : (0xffffffffL << (32 - Math.min(r[1], 24))) & 0xffffffffL;
        if ((net & common) == (r[0] & common) && mask != 0) {
          clash = true;
          break;
        }
      }
      if (!clash) {
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        return new Net("stt" + HexFormat.of().formatHex(suffix), "10." + b + "." + c + ".0/24");
      }
    }
    throw new IllegalStateException("no free 10.2xx.yyy.0/24 subnet");
  }

  /**
   * A TCP port free on every address of the host right now (the kernel's pick of an ephemeral one).
   */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** {destination, prefix} of every IPv4 route but the default one. */
  private static List<long[]> routes() {
    List<long[]> out = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        long dest =
            Integer.toUnsignedLong(Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16)));
        int prefix = Integer.bitCount(Integer.parseUnsignedInt(f[7], 16));
        if (prefix > 0) {
          out.add(new long[] {dest, prefix});
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
