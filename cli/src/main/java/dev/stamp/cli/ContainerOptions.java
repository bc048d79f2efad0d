package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.MountSpec;
import dev.stamp.runtime.container.SpecText;
import dev.stamp.runtime.seccomp.SeccompPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  @Option(
      names = "--security-opt",
      paramLabel = "OPT",
      description =
          "seccomp=FILE (a seccomp profile in Docker's JSON format), seccomp=unconfined (no"
              + " filter); default: Docker's default profile. no-new-privileges is always on.")
  List<String> securityOpts = new ArrayList<>();

  @Parameters(paramLabel = "IMAGE [COMMAND [ARG...]]", description = "Image, then the command.")
  List<String> args = new ArrayList<>();

  /**
   * The environment {@code -e KEY} (no value) takes its value from: this process's. Tests put their
   * own map here; the library never reads any process's environment for a container.
   */
  Map<String, String> callerEnv = System.getenv();

  /** How the CLI names the spec's fields in messages: by their flags. */
  static final ContainerSpec.FieldNames FLAGS =
      field ->
          switch (field) {
            case NAME -> "--name";
            case IMAGE -> "IMAGE";
            case ROOTFS -> "--rootfs";
            case OVERLAY -> "overlay";
            case ENTRYPOINT -> "--entrypoint";
            case ENV -> "-e";
            case WORKDIR -> "--workdir";
            case USER -> "--user";
            case HOSTNAME -> "--hostname";
            case MOUNTS -> "-v";
            case MEMORY -> "--memory";
            case CPUS -> "--cpus";
            case PIDS_LIMIT -> "--pids-limit";
            case NETWORK -> "--network";
            case PORTS -> "-p";
            case STOP_SIGNAL -> "--stop-signal";
            case STOP_TIMEOUT -> "--stop-timeout";
            case PUBLISH_ALL -> "-P";
            case NETWORK_ALIASES -> "--network-alias";
            case LINKS -> "--link";
            case SECCOMP -> "--security-opt";
          };

  /** A parser of one flag's text that may fail with a message naming the flag. */
  interface Parse<T> {
    T parse() throws HostRuntimeException;
  }

  /**
   * The parsed value, or empty with the failure added to the builder's problems (so that every bad
   * flag is reported at once, with what the builder finds).
   */
  static <T> Optional<T> parse(ContainerSpec.Builder b, Parse<T> parse) {
    try {
      return Optional.of(parse.parse());
    } catch (HostRuntimeException e) {
      b.problem(e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * A spec builder with these options applied: the image (the first argument unless --rootfs), the
   * command, and the rest. Text is parsed here ({@link SpecText}); a value that does not parse
   * becomes a problem the builder reports with all others at {@code build()}.
   */
  ContainerSpec.Builder builder(ContainerRuntime runtime) throws HostRuntimeException {
    ContainerSpec.Builder b = ContainerSpec.builder(FLAGS);
    List<String> command = new ArrayList<>(args);
    if (rootfs != null) {
      b.rootfs(rootfs);
    } else if (!command.isEmpty()) {
      b.image(command.remove(0));
    }
    b.command(command);
    for (Path file : envFiles) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        b.problem("--env-file " + file + ": cannot read (" + e.getMessage() + ")");
        continue;
      }
      parse(b, () -> SpecText.envFile("--env-file " + file + ":", text, callerEnv))
          .ifPresent(b::env);
    }
    for (String e : env) {
      parse(b, () -> SpecText.env("-e", e, callerEnv))
          .ifPresent(o -> o.ifPresent(kv -> b.env(kv.getKey(), kv.getValue())));
    }
    for (String v : volumes) {
      parse(b, () -> MountSpec.parse("-v", v)).ifPresent(b::mount);
    }
    if (memory != null) {
      parse(b, () -> SpecText.memoryBytes("--memory", memory)).ifPresent(b::memoryBytes);
    }
    if (cpus != null) {
      parse(b, () -> SpecText.cpuMillis("--cpus", cpus)).ifPresent(b::cpuMillis);
    }
    if (pidsLimit != null) {
      parse(b, () -> SpecText.pidsLimit("--pids-limit", pidsLimit)).ifPresent(b::pidsLimit);
    }
    if (entrypoint != null) {
      b.entrypoint(entrypoint);
    }
    if (network != null) {
      parse(b, () -> runtime.network().parseMode(network)).ifPresent(b::network);
    }
    for (String opt : securityOpts) {
      parse(b, () -> securityOpt(opt)).ifPresent(o -> o.ifPresent(b::seccomp));
    }
    return b;
  }

  /**
   * One {@code --security-opt}, as Docker spells it: {@code seccomp=unconfined}, {@code
   * seccomp=FILE} (also {@code seccomp:FILE}; the file is read and checked now: a problem names the
   * file and the JSON path), {@code no-new-privileges[=true]} (always on: nothing to do). Empty
   * when it changes nothing.
   */
  static Optional<SeccompPolicy> securityOpt(String opt) throws HostRuntimeException {
    if (opt.equals("no-new-privileges")
        || opt.equals("no-new-privileges=true")
        || opt.equals("no-new-privileges:true")) {
      return Optional.empty();
    }
    if (!opt.startsWith("seccomp=") && !opt.startsWith("seccomp:")) {
      throw HostRuntimeException.badInput(
          "--security-opt "
              + opt
              + ": Stamp supports seccomp=FILE, seccomp=unconfined and no-new-privileges"
              + " (always on)");
    }
    String value = opt.substring("seccomp=".length());
    if (value.equals("unconfined")) {
      return Optional.of(SeccompPolicy.UNCONFINED);
    }
    if (value.equals("builtin") || value.equals("default")) {
      return Optional.of(SeccompPolicy.DEFAULT);
    }
    if (value.isEmpty()) {
      throw HostRuntimeException.badInput(
          "--security-opt " + opt + ": give a profile file or unconfined");
    }
    Path file = Path.of(value);
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (IOException e) {
      throw HostRuntimeException.badInput(
          "--security-opt "
              + opt
              + ": cannot read the seccomp profile "
              + file
              + " ("
              + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage())
              + ")");
    }
    return Optional.of(SeccompPolicy.custom(file.toString(), json));
  }
}
