package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.linux.CgroupStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stamp stats}: CPU %, memory use and limit, and pids per container, from its cgroup (v1 or
 * v2). On a terminal the table refreshes every second until interrupted; with {@code --no-stream}
 * or when the output is not a terminal it prints one snapshot (CPU % measured over one second).
 */
@Command(name = "stats", description = "Show containers' resource use (live on a terminal).")
final class StatsCommand extends StampCommand {

  static final long INTERVAL_MILLIS = 1000;

  @Option(names = "--no-stream", description = "Print one snapshot and exit.")
  boolean noStream;

  @Parameters(paramLabel = "CONTAINER", arity = "0..*", description = "Default: all running.")
  List<String> containers = new ArrayList<>();

  /** One container's previous reading, to turn CPU time into a percentage. */
  private record Sample(ContainerInfo info, CgroupStats stats, long atNanos) {}

  @Override
  public Integer call() throws Exception {
    ContainerRuntime runtime = Runtimes.open(stamp);
    List<ContainerInfo> infos = selected(runtime);
    PrintWriter out = out();
    boolean live = !noStream && System.console() != null;
    Map<String, Sample> previous = sample(runtime, infos);
    Thread.sleep(INTERVAL_MILLIS);
    while (true) {
      Map<String, Sample> now = sample(runtime, live ? selected(runtime) : infos);
      if (live) {
        out.print("\033[H\033[2J");
      }
      Table.print(out, rows(previous, now));
      out.flush();
      if (!live) {
        return StampCli.EXIT_OK;
      }
      previous = now;
      Thread.sleep(INTERVAL_MILLIS);
    }
  }

  private List<ContainerInfo> selected(ContainerRuntime runtime) throws HostRuntimeException {
    if (containers.isEmpty()) {
      return runtime.list(false);
    }
    List<ContainerInfo> infos = new ArrayList<>();
    for (String ref : containers) {
      infos.add(runtime.inspect(ref));
    }
    return infos;
  }

  private static Map<String, Sample> sample(ContainerRuntime runtime, List<ContainerInfo> infos) {
    Map<String, Sample> samples = new LinkedHashMap<>();
    for (ContainerInfo info : infos) {
      CgroupStats stats;
      try {
        stats = runtime.stats(info.id());
      } catch (HostRuntimeException e) {
        stats = new CgroupStats(0, 0, 0, 0); // removed meanwhile, or no readable config
      }
      samples.put(info.id(), new Sample(info, stats, System.nanoTime()));
    }
    return samples;
  }

  private static List<List<String>> rows(Map<String, Sample> before, Map<String, Sample> now) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS"));
    long hostMemory = hostMemoryBytes();
    for (Sample s : now.values()) {
      Sample b = before.get(s.info().id());
      boolean running = s.info().state().status() == ContainerStatus.RUNNING;
      double cpu =
          b == null || !running
              ? 0
              : s.stats().cpuPercentSince(b.stats(), s.atNanos() - b.atNanos());
      long limit = s.stats().memoryLimitBytes() > 0 ? s.stats().memoryLimitBytes() : hostMemory;
      double memPercent = limit > 0 ? s.stats().memoryBytes() * 100.0 / limit : 0;
      rows.add(
          List.of(
              s.info().shortId(),
              s.info().config().map(c -> c.name() == null ? "" : c.name()).orElse(""),
              percent(cpu),
              binary(s.stats().memoryBytes()) + " / " + binary(limit),
              percent(memPercent),
              Long.toString(s.stats().pids())));
    }
    return rows;
  }

  static String percent(double value) {
    return String.format(Locale.ROOT, "%.2f%%", value);
  }

  /** Binary units as docker stats prints memory: 1.5MiB, 256MiB, 0B. */
  static String binary(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0
        ? bytes + "B"
        : String.format(Locale.ROOT, "%.4g", value).replaceAll("\\.?0+$", "") + units[unit];
  }

  private static long hostMemoryBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }
}
