package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.CgroupLimits;
import dev.stamp.runtime.linux.Signals;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What to run: the image (or a plain rootfs directory, or an explicit {@link OverlayRootfs}), the
 * command and everything {@code stamp run} accepts. Built by {@link Builder}, which checks every
 * field and reports all problems at once.
 */
public record ContainerSpec(
    Optional<String> name,
    Optional<String> image,
    Optional<Path> rootfs,
    Optional<OverlayRootfs> overlay,
    List<String> command,
    Optional<List<String>> entrypoint,
    List<String> env,
    Optional<String> workdir,
    Optional<String> user,
    Optional<String> hostname,
    List<MountSpec> mounts,
    CgroupLimits limits,
    boolean readOnly,
    boolean init,
    Optional<NetworkMode> network,
    List<PortMapping> ports,
    boolean autoRemove,
    Optional<String> stopSignal,
    Duration stopTimeout,
    boolean publishAll,
    List<String> networkAliases,
    List<Link> links,
    Interactive interactive) {

  /** {@code --link NAME[:ALIAS]}: the container {@code name} is also reachable as {@code alias}. */
  public record Link(String name, String alias) {

    /** Parses {@code NAME[:ALIAS]}; the alias defaults to the name. */
    public static Link parse(String text) throws HostRuntimeException {
      int colon = text.indexOf(':');
      String name = colon < 0 ? text : text.substring(0, colon);
      String alias = colon < 0 ? name : text.substring(colon + 1);
      if (!NAME.matcher(name).matches()) {
        throw HostRuntimeException.badInput(
            "--link " + text + ": \"" + name + "\" is not a container name");
      }
      if (!HOSTNAME.matcher(alias).matches()) {
        throw HostRuntimeException.badInput(
            "--link " + text + ": alias \"" + alias + "\" is not a valid host name");
      }
      return new Link(name, alias);
    }

    /** {@code NAME:ALIAS}, as {@link #parse} reads it. */
    @Override
    public String toString() {
      return name + ":" + alias;
    }
  }

  /** {@code -t} (a pseudo-terminal) and {@code -i} (stdin kept open). */
  public record Interactive(boolean tty, boolean openStdin) {
    public static final Interactive NONE = new Interactive(false, false);

    public boolean any() {
      return tty || openStdin;
    }
  }

  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
  private static final Pattern HOSTNAME =
      Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9-]{1,63})*");
  private static final Pattern ENV_KEY = Pattern.compile("[^=\\s][^=]*");

  /**
   * An explicit root filesystem for a container that is one step of a build: overlay {@code
   * lowerDirs} (LOWEST first, no image defaults) with the caller's own {@code upperDir} and {@code
   * workDir} (one filesystem, not under the container's dir), so that after the container is gone
   * the upper dir holds exactly its changes (overlay whiteouts for deletions). The runtime never
   * deletes these dirs.
   */
  public record OverlayRootfs(List<Path> lowerDirs, Path upperDir, Path workDir) {
    public OverlayRootfs {
      lowerDirs = List.copyOf(lowerDirs);
      if (lowerDirs.isEmpty()) {
        throw new IllegalArgumentException("an overlay rootfs needs at least one lower dir");
      }
    }
  }

  /** The same spec for a container called {@code newName} (replicas of one service). */
  public ContainerSpec withName(String newName) throws HostRuntimeException {
    if (!NAME.matcher(newName).matches()) {
      throw HostRuntimeException.badInput(
          "--name " + newName + ": use letters, digits, '_', '.', '-' (max 128)");
    }
    return new ContainerSpec(
        Optional.of(newName),
        image,
        rootfs,
        overlay,
        command,
        entrypoint,
        env,
        workdir,
        user,
        hostname,
        mounts,
        limits,
        readOnly,
        init,
        network,
        ports,
        autoRemove,
        stopSignal,
        stopTimeout,
        publishAll,
        networkAliases,
        links,
        interactive);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects fields, parsing text the way the CLI receives it; {@link #build} validates. */
  public static final class Builder {
    private final List<String> problems = new ArrayList<>();
    private String name;
    private String image;
    private Path rootfs;
    private OverlayRootfs overlay;
    private List<String> command = List.of();
    private List<String> entrypoint;
    private final List<String> env = new ArrayList<>();
    private String workdir;
    private String user;
    private String hostname;
    private final List<MountSpec> mounts = new ArrayList<>();
    private long memory;
    private long cpuMillis;
    private long pids;
    private boolean readOnly;
    private boolean init;
    private NetworkMode network;
    private final List<PortMapping> ports = new ArrayList<>();
    private boolean autoRemove;
    private String stopSignal;
    private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
    private boolean publishAll;
    private final List<String> networkAliases = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();
    private boolean tty;
    private boolean openStdin;

    public Builder name(String value) {
      if (!NAME.matcher(value).matches()) {
        problems.add("--name " + value + ": use letters, digits, '_', '.', '-' (max 128)");
      }
      this.name = value;
      return this;
    }

    public Builder image(String reference) {
      this.image = reference;
      return this;
    }

    public Builder rootfs(Path dir) {
      if (!Files.isDirectory(dir)) {
        problems.add("--rootfs " + dir + ": not a directory");
      }
      this.rootfs = dir.toAbsolutePath().normalize();
      return this;
    }

    /** The root filesystem as {@link OverlayRootfs} (a build step); replaces image and rootfs. */
    public Builder overlay(OverlayRootfs value) {
      for (Path dir : List.of(value.upperDir(), value.workDir())) {
        if (!Files.isDirectory(dir)) {
          problems.add("overlay " + dir + ": not a directory");
        }
      }
      this.overlay = value;
      return this;
    }

    public Builder command(List<String> args) {
      this.command = List.copyOf(args);
      return this;
    }

    /** {@code --entrypoint}: replaces the image's; an empty string clears it, as in Docker. */
    public Builder entrypoint(String value) {
      this.entrypoint = value.isEmpty() ? List.of() : List.of(value);
      return this;
    }

    public Builder env(String keyValue) {
      String key = keyValue.contains("=") ? keyValue.substring(0, keyValue.indexOf('=')) : keyValue;
      if (!ENV_KEY.matcher(key).matches()) {
        problems.add("-e " + keyValue + ": expected KEY=VALUE");
      } else if (keyValue.contains("=")) {
        env.add(keyValue);
      } else if (System.getenv(key) != null) {
        env.add(key + "=" + System.getenv(key)); // docker's -e KEY: pass the caller's value
      }
      return this;
    }

    /** {@code --env-file}: KEY=VALUE lines; blank lines and {@code #} comments are skipped. */
    public Builder envFile(Path file) {
      try {
        for (String line : Files.readAllLines(file)) {
          String l = line.strip();
          if (!l.isEmpty() && !l.startsWith("#")) {
            env(l);
          }
        }
      } catch (IOException e) {
        problems.add("--env-file " + file + ": cannot read (" + e.getMessage() + ")");
      }
      return this;
    }

    public Builder workdir(String dir) {
      if (!dir.startsWith("/")) {
        problems.add("--workdir " + dir + ": must be an absolute path");
      }
      this.workdir = dir;
      return this;
    }

    public Builder user(String value) {
      if (value.isBlank() || value.split(":", -1).length > 2) {
        problems.add("--user " + value + ": expected USER[:GROUP] (names or numbers)");
      }
      this.user = value;
      return this;
    }

    public Builder hostname(String value) {
      if (!HOSTNAME.matcher(value).matches() || value.length() > 64) {
        problems.add("--hostname " + value + ": not a valid host name");
      }
      this.hostname = value;
      return this;
    }

    public Builder volume(String text) {
      try {
        mounts.add(MountSpec.parse(text));
      } catch (HostRuntimeException e) {
        problems.add(e.getMessage());
      }
      return this;
    }

    public Builder mount(MountSpec mount) {
      mounts.add(mount);
      return this;
    }

    public Builder memory(String text) {
      Optional<Long> bytes = ByteSize.parse(text);
      if (bytes.isEmpty() || bytes.get() < 6 * 1024 * 1024) {
        problems.add(
            "--memory "
                + text
                + (bytes.isEmpty() ? ": expected a size like 256m or 1g" : ": the minimum is 6m"));
      } else {
        memory = bytes.get();
      }
      return this;
    }

    public Builder cpus(String text) {
      try {
        double cpus = Double.parseDouble(text);
        int available = Runtime.getRuntime().availableProcessors();
        if (cpus < 0.01 || cpus > available || !Double.isFinite(cpus)) {
          problems.add("--cpus " + text + ": expected a number between 0.01 and " + available);
        } else {
          cpuMillis = Math.round(cpus * 1000);
        }
      } catch (NumberFormatException e) {
        problems.add("--cpus " + text + ": expected a number like 0.5 or 2");
      }
      return this;
    }

    public Builder pidsLimit(String text) {
      try {
        long n = Long.parseLong(text);
        if (n < 1) {
          throw new NumberFormatException();
        }
        pids = n;
      } catch (NumberFormatException e) {
        problems.add("--pids-limit " + text + ": expected a positive whole number");
      }
      return this;
    }

    public Builder limits(CgroupLimits limits) {
      this.memory = limits.memoryBytes();
      this.cpuMillis = limits.cpuMillis();
      this.pids = limits.pids();
      return this;
    }

    public Builder readOnly(boolean value) {
      this.readOnly = value;
      return this;
    }

    public Builder init(boolean value) {
      this.init = value;
      return this;
    }

    public Builder network(NetworkMode mode) {
      this.network = mode;
      return this;
    }

    public Builder port(PortMapping port) {
      ports.add(port);
      return this;
    }

    public Builder autoRemove(boolean value) {
      this.autoRemove = value;
      return this;
    }

    public Builder stopSignal(String signal) {
      if (Signals.parse(signal).isEmpty()) {
        problems.add("--stop-signal " + signal + ": not a signal name or number");
      }
      this.stopSignal = signal;
      return this;
    }

    public Builder stopTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        problems.add("--stop-timeout " + timeout.toSeconds() + ": must not be negative");
      }
      this.stopTimeout = timeout;
      return this;
    }

    /** {@code -P}: publish every port the image EXPOSEs on a free host port. */
    public Builder publishAll(boolean value) {
      this.publishAll = value;
      return this;
    }

    /** {@code --network-alias}: another name containers on the same network find this one by. */
    public Builder networkAlias(String alias) {
      if (!HOSTNAME.matcher(alias).matches()) {
        problems.add("--network-alias " + alias + ": not a valid host name");
      }
      networkAliases.add(alias);
      return this;
    }

    /** {@code --link NAME[:ALIAS]}. */
    public Builder link(String text) {
      try {
        links.add(Link.parse(text));
      } catch (HostRuntimeException e) {
        problems.add(e.getMessage());
      }
      return this;
    }

    /** {@code -t}: a pseudo-terminal as the container's stdin, stdout and stderr. */
    public Builder tty(boolean value) {
      this.tty = value;
      return this;
    }

    /** {@code -i}: the container's stdin stays open for attached clients. */
    public Builder openStdin(boolean value) {
      this.openStdin = value;
      return this;
    }

    /** A problem found outside the builder (e.g. a flag the CLI could not parse). */
    public Builder problem(String message) {
      problems.add(message);
      return this;
    }

    /** The spec, or BAD_INPUT naming every problem ("; "-separated). */
    public ContainerSpec build() throws HostRuntimeException {
      List<String> all = new ArrayList<>(problems);
      int roots = (image == null ? 0 : 1) + (rootfs == null ? 0 : 1) + (overlay == null ? 0 : 1);
      if (roots != 1) {
        all.add(
            roots == 0
                ? "an image (or --rootfs DIR) is required"
                : "give an image or --rootfs, not both");
      }
      if (!ports.isEmpty() && network != null && !(network instanceof NetworkMode.Bridge)) {
        all.add("-p: ports can only be published on a bridge network");
      }
      boolean bridged = network == null || network instanceof NetworkMode.Bridge;
      if (!bridged && (publishAll || !networkAliases.isEmpty() || !links.isEmpty())) {
        all.add("-P, --network-alias and --link need a bridge network");
      }
      if (!all.isEmpty()) {
        throw HostRuntimeException.badInput(String.join("; ", all));
      }
      return new ContainerSpec(
          Optional.ofNullable(name),
          Optional.ofNullable(image),
          Optional.ofNullable(rootfs),
          Optional.ofNullable(overlay),
          command,
          Optional.ofNullable(entrypoint),
          List.copyOf(env),
          Optional.ofNullable(workdir),
          Optional.ofNullable(user),
          Optional.ofNullable(hostname),
          List.copyOf(mounts),
          new CgroupLimits(memory, cpuMillis, pids),
          readOnly,
          init,
          Optional.ofNullable(network),
          List.copyOf(ports),
          autoRemove,
          Optional.ofNullable(stopSignal),
          stopTimeout,
          publishAll,
          List.copyOf(networkAliases),
          List.copyOf(links),
          new Interactive(tty, openStdin));
    }
  }
}
