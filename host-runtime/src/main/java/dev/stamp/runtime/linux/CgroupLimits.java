package dev.stamp.runtime.linux;

/**
 * Resource limits of one container; 0 means unlimited. {@code cpuMillis} is thousandths of a CPU
 * ({@code --cpus 0.5} is 500), enforced as a CFS quota over a 100 ms period.
 */
public record CgroupLimits(long memoryBytes, long cpuMillis, long pids) {

  public static final CgroupLimits NONE = new CgroupLimits(0, 0, 0);

  /** CFS period used for {@code --cpus}, as Docker does. */
  public static final long CPU_PERIOD_MICROS = 100_000;

  public CgroupLimits {
    if (memoryBytes < 0 || cpuMillis < 0 || pids < 0) {
      throw new IllegalArgumentException("negative limit");
    }
  }

  public long cpuQuotaMicros() {
    return cpuMillis * CPU_PERIOD_MICROS / 1000;
  }
}
