package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerProcess;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerStatus;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stamp top C}: the container's processes (host pids), found through its cgroup. */
@Command(name = "top", description = "Show a container's processes.")
final class TopCommand extends StampCommand {

  @Parameters(paramLabel = "CONTAINER", description = "Name, id or id prefix.")
  String container;

  @Override
  public Integer call() throws Exception {
    ContainerRuntime runtime = Runtimes.open(stamp);
    ContainerInfo info = runtime.inspect(container);
    if (info.state().status() != ContainerStatus.RUNNING) {
      throw HostRuntimeException.conflict(
          "top " + container + ": the container is not running (" + info.statusText() + ")");
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("PID", "USER", "TIME", "CMD"));
    for (ContainerProcess p : runtime.processes(info.id())) {
      rows.add(List.of(Integer.toString(p.pid()), p.user(), time(p.cpuNanos()), p.command()));
    }
    return table(rows);
  }

  /** CPU time as ps prints it: HH:MM:SS. */
  static String time(long nanos) {
    long s = nanos / 1_000_000_000L;
    return String.format("%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
}
