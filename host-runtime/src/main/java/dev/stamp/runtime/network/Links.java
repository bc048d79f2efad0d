package dev.stamp.runtime.network;

import dev.stamp.runtime.fs.RandomBytes;
import dev.stamp.runtime.linux.Errno;
import dev.stamp.runtime.linux.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Interface flags, MAC repair and bridge removal through the classic ioctls, in the network
 * namespace of the calling thread. Each call returns what failed, or null on success.
 */
final class Links {

  private static final LibC LIBC = LibC.INSTANCE;
  private static final int FLAGS_OFFSET = 16;
  private static final int HWADDR_OFFSET = 18;
  private static final int MAC_BYTES = 6;

  private Links() {}

  /** Sets IFF_UP on {@code name}. */
  static String bringUp(String name) {
    return withSocket(
        "bring " + name + " up",
        fd -> {
          byte[] ifreq = ifreq(name);
          if (LIBC.ioctl(fd, LibC.SIOCGIFFLAGS, ifreq) != 0) {
            return LibC.describe("bring " + name + " up: SIOCGIFFLAGS");
          }
          ByteBuffer buf = ByteBuffer.wrap(ifreq).order(ByteOrder.nativeOrder());
          buf.putShort(FLAGS_OFFSET, (short) (buf.getShort(FLAGS_OFFSET) | LibC.IFF_UP));
          if (LIBC.ioctl(fd, LibC.SIOCSIFFLAGS, ifreq) != 0) {
            return LibC.describe("bring " + name + " up: SIOCSIFFLAGS");
          }
          return null;
        });
  }

  /** Takes the bridge {@code name} down and deletes it; a missing bridge is fine. */
  static String deleteBridge(String name) {
    String action = "delete bridge " + name;
    return withSocket(
        action,
        fd -> {
          byte[] ifreq = ifreq(name);
          if (LIBC.ioctl(fd, LibC.SIOCGIFFLAGS, ifreq) != 0) {
            return LibC.errno() == Errno.ENODEV ? null : LibC.describe(action + ": SIOCGIFFLAGS");
          }
          ByteBuffer buf = ByteBuffer.wrap(ifreq).order(ByteOrder.nativeOrder());
          buf.putShort(FLAGS_OFFSET, (short) (buf.getShort(FLAGS_OFFSET) & ~LibC.IFF_UP));
          if (LIBC.ioctl(fd, LibC.SIOCSIFFLAGS, ifreq) != 0) {
            return LibC.describe(action + ": SIOCSIFFLAGS");
          }
          if (LIBC.ioctl(fd, LibC.SIOCBRDELBR, ifreq(name)) != 0 && LibC.errno() != Errno.ENXIO) {
            return LibC.describe(action + ": SIOCBRDELBR");
          }
          return null;
        });
  }

  /**
   * Gives the bridge a random locally administered MAC if it has none. A bridge whose MAC was never
   * set takes its ports' lowest MAC and falls back to 00:00:00:00:00:00 when its last port goes;
   * the CNI bridge plugin then fails ("could not set bridge's mac: invalid argument") if it also
   * lacks its gateway address, which is what an attach killed halfway leaves. A missing bridge is
   * fine (the plugin creates it).
   */
  static String repairZeroMac(String bridge) {
    String action = "repair MAC of bridge " + bridge;
    return withSocket(
        action,
        fd -> {
          byte[] ifreq = ifreq(bridge);
          if (LIBC.ioctl(fd, LibC.SIOCGIFHWADDR, ifreq) != 0) {
            return LibC.errno() == Errno.ENODEV ? null : LibC.describe(action + ": SIOCGIFHWADDR");
          }
          for (int i = 0; i < MAC_BYTES; i++) {
            if (ifreq[HWADDR_OFFSET + i] != 0) {
              return null;
            }
          }
          byte[] set = ifreq(bridge);
          ByteBuffer.wrap(set).order(ByteOrder.nativeOrder()).putShort(16, LibC.ARPHRD_ETHER);
          byte[] mac = RandomBytes.next(MAC_BYTES);
          mac[0] = (byte) ((mac[0] & 0xfe) | 0x02);
          System.arraycopy(mac, 0, set, HWADDR_OFFSET, MAC_BYTES);
          if (LIBC.ioctl(fd, LibC.SIOCSIFHWADDR, set) != 0) {
            return LibC.describe(action + ": SIOCSIFHWADDR");
          }
          return null;
        });
  }

  private interface SocketCall {
    String apply(int fd);
  }

  private static String withSocket(String action, SocketCall call) {
    int fd = LIBC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
    if (fd < 0) {
      return LibC.describe(action + ": socket");
    }
    try {
      return call.apply(fd);
    } finally {
      LIBC.close(fd);
    }
  }

  private static byte[] ifreq(String name) {
    byte[] ifreq = new byte[LibC.IFREQ_BYTES];
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, ifreq, 0, Math.min(bytes.length, 15));
    return ifreq;
  }
}
