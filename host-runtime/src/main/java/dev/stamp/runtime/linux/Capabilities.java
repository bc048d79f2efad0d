package dev.stamp.runtime.linux;

import java.util.List;

/** Linux capabilities: Docker's default set, the one every Stamp container gets. */
public final class Capabilities {

  /** Docker's 14 default capabilities, by name and number. */
  public enum Cap {
    CHOWN(0),
    DAC_OVERRIDE(1),
    FOWNER(3),
    FSETID(4),
    KILL(5),
    SETGID(6),
    SETUID(7),
    SETPCAP(8),
    NET_BIND_SERVICE(10),
    NET_RAW(13),
    SYS_CHROOT(18),
    MKNOD(27),
    AUDIT_WRITE(29),
    SETFCAP(31);

    private final int number;

    Cap(int number) {
      this.number = number;
    }

    public int number() {
      return number;
    }
  }

  public static final List<Cap> DOCKER_DEFAULT = List.of(Cap.values());

  private Capabilities() {}

  /** The set as the bit mask {@code /proc/PID/status} shows in CapBnd ({@code a80425fb}). */
  public static long mask(List<Cap> caps) {
    long mask = 0;
    for (Cap cap : caps) {
      mask |= 1L << cap.number();
    }
    return mask;
  }
}
