package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.CgroupLimits;
import dev.stamp.runtime.linux.Signals;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.seccomp.SeccompPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What to run: the image (or a plain rootfs directory, or an explicit {@link OverlayRootfs}), the
 * command and everything {@code stamp run} accepts, as typed values (sizes in bytes, durations, the
 * environment as an ordered map). Nothing here parses text or reads the calling process's
 * environment: the CLI (or a controller) parses its own input ({@link SpecText} helps) and fills a
 * {@link Builder}, which checks every field and reports all problems at once, each under the field
 * path the caller names it by ({@link FieldNames}: {@code --memory} for the CLI, {@code
 * services.web.deploy.resources.limits.memory} for a controller).
 */
public record ContainerSpec(
    Optional<String> name,
    Optional<String> image,
    Optional<Path> rootfs,
    Optional<OverlayRootfs> overlay,
    List<String> command,
    Optional<List<String>> entrypoint,
    Map<String, String> env,
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
    Interactive interactive,
    SeccompPolicy seccomp) {

  public ContainerSpec {
    command = List.copyOf(command);
    entrypoint = entrypoint.map(List::copyOf);
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    mounts = List.copyOf(mounts);
    ports = List.copyOf(ports);
    networkAliases = List.copyOf(networkAliases);
    links = List.copyOf(links);
  }

  /** The fields a problem can be reported under; {@link FieldNames} maps them to the caller's. */
  public enum Field {
    NAME("name"),
    IMAGE("image"),
    ROOTFS("rootfs"),
    OVERLAY("overlay"),
    ENTRYPOINT("entrypoint"),
    ENV("env"),
    WORKDIR("workdir"),
    USER("user"),
    HOSTNAME("hostname"),
    MOUNTS("mounts"),
    MEMORY("limits.memory"),
    CPUS("limits.cpus"),
    PIDS_LIMIT("limits.pids"),
    NETWORK("network"),
    PORTS("ports"),
    STOP_SIGNAL("stopSignal"),
    STOP_TIMEOUT("stopTimeout"),
    PUBLISH_ALL("publishAll"),
    NETWORK_ALIASES("networkAliases"),
    LINKS("links"),
    SECCOMP("seccomp");

    private final String specPath;

    Field(String specPath) {
      this.specPath = specPath;
    }

    /** The name in this record ({@code limits.memory}). */
    public String specPath() {
      return specPath;
    }
  }

  /**
   * How the caller names each field in its messages: {@code --memory} (CLI), {@code
   * services.web.deploy.resources.limits.memory} (a controller reading a Compose file).
   */
  @FunctionalInterface
  public interface FieldNames {
    /** The record's own names: {@code limits.memory}, {@code env}, {@code mounts}. */
    FieldNames SPEC = Field::specPath;

    String path(Field field);

    /** The record's names under {@code prefix} ({@code prefix + "limits.memory"}). */
    static FieldNames prefixed(String prefix) {
      return f -> prefix + f.specPath();
    }
  }

  /** {@code --link NAME[:ALIAS]}: the container {@code name} is also reachable as {@code alias}. */
  public record Link(String name, String alias) {

    /** Parses {@code NAME[:ALIAS]} (the alias defaults to the name), as {@code --link}. */
    public static Link parse(String text) throws HostRuntimeException {
      return parse("--link", text);
    }

    /** Parses {@code NAME[:ALIAS]}; a problem is reported under {@code path}. */
    public static Link parse(String path, String text) throws HostRuntimeException {
      int colon = text.indexOf(':');
      String name = colon < 0 ? text : text.substring(0, colon);
      String alias = colon < 0 ? name : text.substring(colon + 1);
      Optional<String> problem = new Link(name, alias).problem();
      if (problem.isPresent()) {
        throw HostRuntimeException.badInput(path + " " + text + ": " + problem.get());
      }
      return new Link(name, alias);
    }

    /** Why this link is not valid, if it is not. */
    Optional<String> problem() {
      if (name == null || !NAME.matcher(name).matches()) {
        return Optional.of("\"" + name + "\" is not a container name");
      }
      if (alias == null || !HOSTNAME.matcher(alias).matches()) {
        return Optional.of("alias \"" + alias + "\" is not a valid host name");
      }
      return Optional.empty();
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

  /** Docker's smallest memory limit. */
  public static final long MIN_MEMORY_BYTES = 6L << 20;

  /** The smallest CPU limit, 0.01 CPU (in thousandths of a CPU). */
  public static final long MIN_CPU_MILLIS = 10;

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
  private static final Pattern HOSTNAME =
      Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9-]{1,63})*");
  private static final Pattern ENV_KEY = Pattern.compile("[^=\\s\\x00][^=\\x00]*");

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
    return toBuilder().name(newName).build();
  }

  /** A builder holding every field of this spec; problems named by {@link FieldNames#SPEC}. */
  public Builder toBuilder() {
    return toBuilder(FieldNames.SPEC);
  }

  /** A builder holding every field of this spec, problems named by {@code names}. */
  public Builder toBuilder(FieldNames names) {
    Builder b = new Builder(names);
    b.name = name.orElse(null);
    b.image = image.orElse(null);
    b.rootfs = rootfs.orElse(null);
    b.overlay = overlay.orElse(null);
    b.command = command;
    b.entrypoint = entrypoint.orElse(null);
    b.env.putAll(env);
    b.workdir = workdir.orElse(null);
    b.user = user.orElse(null);
    b.hostname = hostname.orElse(null);
    b.mounts.addAll(mounts);
    b.limits(limits);
    b.readOnly = readOnly;
    b.init = init;
    b.network = network.orElse(null);
    b.ports.addAll(ports);
    b.autoRemove = autoRemove;
    b.stopSignal = stopSignal.orElse(null);
    b.stopTimeout = stopTimeout;
    b.publishAll = publishAll;
    b.networkAliases.addAll(networkAliases);
    b.links.addAll(links);
    b.tty = interactive.tty();
    b.openStdin = interactive.openStdin();
    b.seccomp = seccomp;
    return b;
  }

  /** A builder whose problems name the record's own fields ({@code limits.memory}). */
  public static Builder builder() {
    return new Builder(FieldNames.SPEC);
  }

  /** A builder whose problems name each field as {@code names} says. */
  public static Builder builder(FieldNames names) {
    return new Builder(names);
  }

  /**
   * Collects typed fields; {@link #build} checks them all and reports every problem at once, each
   * as {@code PATH VALUE: reason} with PATH from the builder's {@link FieldNames}.
   */
  public static final class Builder {
    private final FieldNames names;
    private final List<String> problems = new ArrayList<>();
    private String name;
    private String image;
    private Path rootfs;
    private OverlayRootfs overlay;
    private List<String> command = List.of();
    private List<String> entrypoint;
    private final Map<String, String> env = new LinkedHashMap<>();
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
    private SeccompPolicy seccomp = SeccompPolicy.DEFAULT;

    private Builder(FieldNames names) {
      this.names = names;
    }

    /** How this builder names fields in its problems. */
    public FieldNames names() {
      return names;
    }

    public Builder name(String value) {
      this.name = value;
      return this;
    }

    public Builder image(String reference) {
      this.image = reference;
      return this;
    }

    public Builder rootfs(Path dir) {
      this.rootfs = dir.toAbsolutePath().normalize();
      return this;
    }

    /** The root filesystem as {@link OverlayRootfs} (a build step); replaces image and rootfs. */
    public Builder overlay(OverlayRootfs value) {
      this.overlay = value;
      return this;
    }

    public Builder command(List<String> args) {
      this.command = List.copyOf(args);
      return this;
    }

    /** Replaces the image's entrypoint; an empty list clears it. */
    public Builder entrypoint(List<String> value) {
      this.entrypoint = List.copyOf(value);
      return this;
    }

    /** {@code --entrypoint}: replaces the image's; an empty string clears it, as in Docker. */
    public Builder entrypoint(String value) {
      return entrypoint(value.isEmpty() ? List.of() : List.of(value));
    }

    /** One variable; a later value of the same key replaces the earlier (order kept). */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** Every variable of {@code values}, in its order. */
    public Builder env(Map<String, String> values) {
      values.forEach(this::env);
      return this;
    }

    public Builder workdir(String dir) {
      this.workdir = dir;
      return this;
    }

    public Builder user(String value) {
      this.user = value;
      return this;
    }

    public Builder hostname(String value) {
      this.hostname = value;
      return this;
    }

    public Builder mount(MountSpec mount) {
      mounts.add(mount.normalized());
      return this;
    }

    /** Memory limit in bytes (0: none; else at least {@link #MIN_MEMORY_BYTES}). */
    public Builder memoryBytes(long bytes) {
      this.memory = bytes;
      return this;
    }

    /**
     * CPU limit in thousandths of a CPU (0: none; else at least {@link #MIN_CPU_MILLIS}). Not
     * checked against this machine's CPU count: the host that runs the container checks that.
     */
    public Builder cpuMillis(long millis) {
      this.cpuMillis = millis;
      return this;
    }

    /** Process limit (0: none). */
    public Builder pidsLimit(long n) {
      this.pids = n;
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
      this.stopSignal = signal;
      return this;
    }

    public Builder stopTimeout(Duration timeout) {
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
      networkAliases.add(alias);
      return this;
    }

    /** {@code --link NAME[:ALIAS]}. */
    public Builder link(Link link) {
      links.add(link);
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

    /**
     * The seccomp filter of the container's processes: {@link SeccompPolicy#DEFAULT} (Docker's
     * default profile) unless the caller says otherwise ({@code --security-opt seccomp=...}).
     */
    public Builder seccomp(SeccompPolicy value) {
      this.seccomp = value;
      return this;
    }

    /**
     * A problem found outside the builder (text the caller could not parse), reported with the
     * others at {@link #build}; the message names its own field path.
     */
    public Builder problem(String message) {
      problems.add(message);
      return this;
    }

    /** The spec, or one BAD_INPUT naming every problem ("; "-separated), each with its path. */
    public ContainerSpec build() throws HostRuntimeException {
      List<String> all = new ArrayList<>(problems);
      check(all);
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
          env,
          Optional.ofNullable(workdir),
          Optional.ofNullable(user),
          Optional.ofNullable(hostname),
          mounts,
          new CgroupLimits(memory, cpuMillis, pids),
          readOnly,
          init,
          Optional.ofNullable(network),
          ports,
          autoRemove,
          Optional.ofNullable(stopSignal),
          stopTimeout,
          publishAll,
          networkAliases,
          links,
          new Interactive(tty, openStdin),
          seccomp);
    }

    private String at(Field field, Object value) {
      return names.path(field) + " " + value + ": ";
    }

    private void check(List<String> all) {
      if (name != null && !NAME.matcher(name).matches()) {
        all.add(at(Field.NAME, name) + "use letters, digits, '_', '.', '-' (max 128)");
      }
      if (image != null && (image.isBlank() || image.indexOf('\0') >= 0)) {
        all.add(at(Field.IMAGE, "\"" + image + "\"") + "not an image reference");
      }
      if (rootfs != null && !Files.isDirectory(rootfs)) {
        all.add(at(Field.ROOTFS, rootfs) + "not a directory");
      }
      if (overlay != null) {
        for (Path dir : List.of(overlay.upperDir(), overlay.workDir())) {
          if (!Files.isDirectory(dir)) {
            all.add(at(Field.OVERLAY, dir) + "not a directory");
          }
        }
      }
      env.forEach(
          (k, v) -> {
            if (k == null || !ENV_KEY.matcher(k).matches()) {
              all.add(at(Field.ENV, k) + "not a variable name");
            } else if (v == null || v.indexOf('\0') >= 0) {
              all.add(at(Field.ENV, k) + "the value must be text without NUL");
            }
          });
      if (workdir != null && !workdir.startsWith("/")) {
        all.add(at(Field.WORKDIR, workdir) + "must be an absolute path");
      }
      if (user != null && (user.isBlank() || user.split(":", -1).length > 2)) {
        all.add(at(Field.USER, user) + "expected USER[:GROUP] (names or numbers)");
      }
      if (hostname != null && (!HOSTNAME.matcher(hostname).matches() || hostname.length() > 64)) {
        all.add(at(Field.HOSTNAME, hostname) + "not a valid host name");
      }
      for (MountSpec m : mounts) {
        m.problem().ifPresent(p -> all.add(at(Field.MOUNTS, m) + p));
      }
      if (memory < 0 || (memory > 0 && memory < MIN_MEMORY_BYTES)) {
        all.add(at(Field.MEMORY, ByteSize.format(memory)) + "the minimum is 6m");
      }
      if (cpuMillis < 0 || (cpuMillis > 0 && cpuMillis < MIN_CPU_MILLIS)) {
        all.add(at(Field.CPUS, cpuMillis / 1000.0) + "the minimum is 0.01");
      }
      if (pids < 0) {
        all.add(at(Field.PIDS_LIMIT, pids) + "expected a positive whole number");
      }
      if (stopSignal != null && Signals.parse(stopSignal).isEmpty()) {
        all.add(at(Field.STOP_SIGNAL, stopSignal) + "not a signal name or number");
      }
      if (stopTimeout == null || stopTimeout.isNegative()) {
        all.add(
            at(Field.STOP_TIMEOUT, stopTimeout == null ? "null" : stopTimeout.toSeconds())
                + "must not be negative");
      }
      for (String alias : networkAliases) {
        if (alias == null || !HOSTNAME.matcher(alias).matches()) {
          all.add(at(Field.NETWORK_ALIASES, alias) + "not a valid host name");
        }
      }
      for (Link link : links) {
        link.problem().ifPresent(p -> all.add(at(Field.LINKS, link) + p));
      }
      int roots = (image == null ? 0 : 1) + (rootfs == null ? 0 : 1) + (overlay == null ? 0 : 1);
      if (roots == 0) {
        all.add("an image (or " + names.path(Field.ROOTFS) + " DIR) is required");
      } else if (roots > 1) {
        all.add("give an image or " + names.path(Field.ROOTFS) + ", not both");
      }
      if (seccomp == null) {
        all.add(names.path(Field.SECCOMP) + ": missing (default, unconfined or a profile)");
      }
      if (!ports.isEmpty() && network != null && !(network instanceof NetworkMode.Bridge)) {
        all.add(names.path(Field.PORTS) + ": ports can only be published on a bridge network");
      }
      boolean bridged = network == null || network instanceof NetworkMode.Bridge;
      if (!bridged && (publishAll || !networkAliases.isEmpty() || !links.isEmpty())) {
        all.add(
            names.path(Field.PUBLISH_ALL)
                + ", "
                + names.path(Field.NETWORK_ALIASES)
                + " and "
                + names.path(Field.LINKS)
                + " need a bridge network");
      }
    }
  }
}
