package dev.stamp.runtime.network;

import dev.stamp.runtime.linux.Errno;
import dev.stamp.runtime.linux.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Interface flags and bridge removal through the classic ioctls, in the network namespace of the
 * calling thread. Each call returns what failed, or null on success.
 */
final class LinkFlags {

  private static final LibC LIBC = LibC.INSTANCE;
  private static final int FLAGS_OFFSET = 16;

  private LinkFlags() {}

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

  /** Whether an interface called {@code name} exists in this thread's network namespace. */
  static boolean exists(String name) {
    String[] result = new String[1];
    withSocket(
        "look up " + name,
        fd -> {
          result[0] = LIBC.ioctl(fd, LibC.SIOCGIFFLAGS, ifreq(name)) == 0 ? "yes" : null;
          return null;
        });
    return result[0] != null;
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
