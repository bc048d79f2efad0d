package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options that describe what a container runs and with what (image or rootfs, command,
 * environment, volumes, limits, network), shared by {@code stamp run} and {@code stamp service run}
 * as a picocli mixin, so both spell and validate them the same way.
 */
final class ContainerOptions {

  @Option(
      names = {"-e", "--env"},
      paramLabel = "KEY=VALUE",
      description = "Set an environment variable.")
  List<String> env = new ArrayList<>();

  @Option(names = "--env-file", paramLabel = "FILE", description = "Read KEY=VALUE lines.")
  List<Path> envFiles = new ArrayList<>();

  @Option(
      names = {"-v", "--volume"},
      paramLabel = "SRC:DST[:ro]",
      description = "Bind mount a host path or a named volume.")
  List<String> volumes = new ArrayList<>();

  @Option(
      names = {"-m", "--memory"},
      paramLabel = "SIZE",
      description = "Memory limit (256m, 1g).")
  String memory;

  @Option(names = "--cpus", paramLabel = "N", description = "CPU limit (0.5 = half a CPU).")
  String cpus;

  @Option(names = "--pids-limit", paramLabel = "N", description = "Process limit.")
  String pidsLimit;

  @Option(names = "--entrypoint", paramLabel = "CMD", description = "Replace the entrypoint.")
  String entrypoint;

  @Option(
      names = {"--network", "--net"},
      paramLabel = "MODE",
      description = "none, host, or a network name.")
  String network;

  @Option(
      names = "--rootfs",
      paramLabel = "DIR",
      description = "Use a plain directory as the root filesystem instead of an image.")
  Path rootfs;

  @Parameters(paramLabel = "IMAGE [COMMAND [ARG...]]", description = "Image, then the command.")
  List<String> args = new ArrayList<>();

  /**
   * A spec builder with these options applied: the image (the first argument unless --rootfs), the
   * command, and the rest. A value that does not parse becomes a problem the builder reports with
   * all others at {@code build()}.
   */
  ContainerSpec.Builder builder(ContainerRuntime runtime) throws HostRuntimeException {
    ContainerSpec.Builder b = ContainerSpec.builder();
    List<String> command = new ArrayList<>(args);
    if (rootfs != null) {
      b.rootfs(rootfs);
    } else if (!command.isEmpty()) {
      b.image(command.remove(0));
    }
    b.command(command);
    envFiles.forEach(b::envFile);
    env.forEach(b::env);
    volumes.forEach(b::volume);
    if (memory != null) {
      b.memory(memory);
    }
    if (cpus != null) {
      b.cpus(cpus);
    }
    if (pidsLimit != null) {
      b.pidsLimit(pidsLimit);
    }
    if (entrypoint != null) {
      b.entrypoint(entrypoint);
    }
    if (network != null) {
      try {
        b.network(runtime.network().parseMode(network));
      } catch (HostRuntimeException e) {
        b.problem(e.getMessage());
      }
    }
    return b;
  }
}
