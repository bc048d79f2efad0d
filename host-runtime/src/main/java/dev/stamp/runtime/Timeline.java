package dev.stamp.runtime;

/**
 * Step times of one process, for finding where a short command's time goes: with {@code
 * -Dstamp.timeline=true} (e.g. {@code JDK_JAVA_OPTIONS=-Dstamp.timeline=true ./stamp run …}), each
 * {@link #mark} prints {@code timeline STEP +MS} (milliseconds since the first mark, and since the
 * JVM started on the first line) to stderr. Off by default: then a mark is one read of a static
 * final field.
 */
public final class Timeline {

  private static final boolean ON = Boolean.getBoolean("stamp.timeline");
  private static long first;

  private Timeline() {}

  /** Notes that {@code step} is reached now (nothing unless {@code stamp.timeline} is true). */
  public static void mark(String step) {
    if (ON) {
      print(step);
    }
  }

  /**
   * As {@link #mark}, the step named by two words ({@code start: exited 0}): nothing is
   * concatenated unless the timeline is on, so a mark on a hot path costs no string.
   */
  public static void mark(String step, Object detail) {
    if (ON) {
      print(step + " " + detail);
    }
  }

  private static synchronized void print(String step) {
    long now = System.nanoTime();
    if (first == 0) {
      first = now;
      long uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
      System.err.println("timeline " + step + " +0.0 (JVM up " + uptime + " ms)");
      return;
    }
    System.err.printf(
        "timeline %s +%.1f [%s]%n", step, (now - first) / 1e6, Thread.currentThread().getName());
  }
}
