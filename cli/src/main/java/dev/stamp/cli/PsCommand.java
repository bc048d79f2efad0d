package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRecord;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.network.PortMapping;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stamp ps}: containers with their status derived from /proc and the exit files. */
@Command(name = "ps", description = "List containers (running ones unless -a).")
final class PsCommand extends StampCommand {

  @Option(
      names = {"-a", "--all"},
      description = "Show all containers.")
  boolean all;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only ids.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Full ids and commands.")
  boolean noTrunc;

  @Override
  public Integer call() throws Exception {
    ContainerRuntime runtime = Runtimes.open(stamp);
    List<ContainerInfo> infos = runtime.list(all);
    if (quiet) {
      infos.forEach(i -> System.out.println(noTrunc ? i.id() : i.shortId()));
      return StampCli.EXIT_OK;
    }
    String format = "%-12s  %-20s  %-24s  %-14s  %-16s  %-24s  %s%n";
    System.out.printf(
        format, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
    for (ContainerInfo i : infos) {
      ContainerRecord c = i.config().orElse(null);
      System.out.printf(
          format,
          noTrunc ? i.id() : i.shortId(),
          c == null ? "?" : truncate(c.image(), 20),
          c == null ? "?" : truncate("\"" + String.join(" ", c.args()) + "\"", 24),
          c == null ? "?" : ago(c.created()),
          i.statusText(),
          ports(runtime, i),
          c == null || c.name() == null ? "" : c.name());
    }
    return StampCli.EXIT_OK;
  }

  /** {@code 0.0.0.0:49153->80/tcp, ...} for a running container, as docker ps shows them. */
  private static String ports(ContainerRuntime runtime, ContainerInfo info) {
    try {
      return String.join(
          ", ",
          PortCommand.published(runtime, info.id()).stream().map(PortMapping::describe).toList());
    } catch (HostRuntimeException e) {
      return "?";
    }
  }

  private String truncate(String s, int width) {
    return noTrunc || s.length() <= width ? s : s.substring(0, width - 1) + "…";
  }

  static String ago(String instant) {
    try {
      Duration d = Duration.between(Instant.parse(instant), Instant.now());
      if (d.toMinutes() < 1) {
        return d.toSeconds() + " seconds ago";
      }
      if (d.toHours() < 1) {
        return d.toMinutes() + " minutes ago";
      }
      if (d.toDays() < 1) {
        return d.toHours() + " hours ago";
      }
      return d.toDays() + " days ago";
    } catch (RuntimeException e) {
      return instant;
    }
  }
}
