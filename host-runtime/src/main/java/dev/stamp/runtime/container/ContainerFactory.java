package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.Signals;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link ContainerSpec} into a {@link ContainerRecord}: resolves the image, the command
 * (Docker's ENTRYPOINT/CMD rules), the user (from the image's /etc/passwd), mounts, environment and
 * the intent. Everything that can be wrong with the input fails here, before anything exists.
 */
final class ContainerFactory {

  private static final String DEFAULT_PATH =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final ContainerStore store;
  private final Cgroups cgroups;
  private final RootfsSource images;
  private final ContainerNetwork network;

  ContainerFactory(
      ContainerStore store, Cgroups cgroups, RootfsSource images, ContainerNetwork network) {
    this.store = store;
    this.cgroups = cgroups;
    this.images = images;
    this.network = network;
  }

  /** The record of a new container; {@code seccomp} is the record's word for its filter. */
  ContainerRecord config(ContainerSpec spec, String id, String seccomp)
      throws HostRuntimeException {
    checkCpus(spec, Runtime.getRuntime().availableProcessors());
    ResolvedImage image = image(spec);
    List<String> args = command(spec, image);
    ImageUsers.User user = ImageUsers.resolve(image.lowerDirs(), spec.user().or(image::user));
    NetworkMode mode = spec.network().orElse(network.defaultMode());
    String hostname = spec.hostname().orElse(defaultHostname(id));
    String signal = spec.stopSignal().or(image::stopSignal).orElse("SIGTERM");
    int stopSignal =
        Signals.parse(signal)
            .orElseThrow(
                () ->
                    HostRuntimeException.badInput(
                        "image STOPSIGNAL " + signal + ": unknown signal"));
    checkOverlayPaths(image.lowerDirs());
    checkLinks(spec);
    boolean attached = mode instanceof NetworkMode.Bridge;
    return new ContainerRecord(
        id,
        spec.name().orElse(null),
        image.reference(),
        image.id(),
        Instant.now().toString(),
        image.lowerDirs().stream().map(Path::toString).toList(),
        spec.overlay().map(o -> o.upperDir().toAbsolutePath().toString()).orElse(null),
        spec.overlay().map(o -> o.workDir().toAbsolutePath().toString()).orElse(null),
        args,
        env(spec, image, hostname, user),
        spec.workdir().or(image::workdir).filter(w -> !w.isEmpty()).orElse(null),
        spec.user().or(image::user).orElse(""),
        user.uid(),
        user.gid(),
        user.groups(),
        hostname,
        mounts(spec),
        spec.limits().memoryBytes(),
        spec.limits().cpuMillis(),
        spec.limits().pids(),
        spec.readOnly(),
        spec.init(),
        ContainerNetwork.format(mode),
        publishedPorts(spec, image),
        spec.autoRemove(),
        stopSignal,
        spec.stopTimeout().toSeconds(),
        new ContainerRecord.Intent(
            cgroups.dirsFor(id).stream().map(Path::toString).toList(),
            spec.name().map(n -> store.nameFile(n).toString()).orElse(null),
            attached),
        spec.networkAliases(),
        spec.links(),
        spec.interactive().tty(),
        spec.interactive().openStdin(),
        seccomp);
  }

  /**
   * {@code -p} ports, then with {@code -P} every EXPOSEd port not published yet, on a free port.
   */
  static List<PortMapping> publishedPorts(ContainerSpec spec, ResolvedImage image)
      throws HostRuntimeException {
    List<PortMapping> ports = new ArrayList<>(spec.ports());
    if (!spec.publishAll()) {
      return List.copyOf(ports);
    }
    for (String exposed : image.exposedPorts()) {
      PortMapping port = exposedPort(image, exposed);
      boolean published =
          ports.stream()
              .anyMatch(
                  p ->
                      p.containerPort() == port.containerPort()
                          && p.protocol().equals(port.protocol()));
      if (!published) {
        ports.add(port);
      }
    }
    return List.copyOf(ports);
  }

  /** An image's {@code 8080/tcp} (or {@code 8080}) as a mapping to any free host port. */
  private static PortMapping exposedPort(ResolvedImage image, String exposed)
      throws HostRuntimeException {
    int slash = exposed.indexOf('/');
    String number = slash < 0 ? exposed : exposed.substring(0, slash);
    String protocol = slash < 0 ? "tcp" : exposed.substring(slash + 1).toLowerCase();
    try {
      return PortMapping.of(PortMapping.ANY_HOST_IP, 0, Integer.parseInt(number), protocol);
    } catch (NumberFormatException | HostRuntimeException e) {
      throw HostRuntimeException.badInput(
          "-P: image " + image.reference() + " EXPOSEs \"" + exposed + "\", not a port");
    }
  }

  /** A link names a container that exists (Docker refuses a link to nothing). */
  /**
   * The CPU limit against the CPUs of the host that runs the container (here, at create time: a
   * spec is written elsewhere, e.g. by a controller, and checked where it runs).
   */
  static void checkCpus(ContainerSpec spec, int available) throws HostRuntimeException {
    long millis = spec.limits().cpuMillis();
    if (millis > available * 1000L) {
      throw HostRuntimeException.badInput(
          "cpu limit "
              + millis / 1000.0
              + ": this host has "
              + available
              + " CPU"
              + (available == 1 ? "" : "s"));
    }
  }

  private void checkLinks(ContainerSpec spec) throws HostRuntimeException {
    for (ContainerSpec.Link link : spec.links()) {
      if (store.readName(link.name()).isEmpty()) {
        throw HostRuntimeException.badInput(
            "--link " + link + ": no container named " + link.name());
      }
    }
  }

  private ResolvedImage image(ContainerSpec spec) throws HostRuntimeException {
    if (spec.overlay().isPresent()) {
      List<Path> lower = spec.overlay().get().lowerDirs();
      checkOverlayPaths(List.of(spec.overlay().get().upperDir(), spec.overlay().get().workDir()));
      return new ResolvedImage(
          lower.get(lower.size() - 1).toString(),
          "",
          lower.stream().map(p -> p.toAbsolutePath().normalize()).toList(),
          List.of(),
          List.of(),
          List.of(),
          java.util.Optional.empty(),
          java.util.Optional.empty(),
          java.util.Optional.empty(),
          List.of());
    }
    return spec.rootfs().isPresent()
        ? ResolvedImage.ofDirectory(spec.rootfs().get())
        : images.resolve(spec.image().orElseThrow());
  }

  /** Docker's rules: --entrypoint replaces the image's (and drops its CMD); args replace CMD. */
  static List<String> command(ContainerSpec spec, ResolvedImage image) throws HostRuntimeException {
    List<String> entrypoint = spec.entrypoint().orElse(image.entrypoint());
    List<String> cmd =
        !spec.command().isEmpty()
            ? spec.command()
            : spec.entrypoint().isPresent() ? List.of() : image.cmd();
    List<String> args = new ArrayList<>(entrypoint);
    args.addAll(cmd);
    if (args.isEmpty() || args.get(0).isEmpty()) {
      throw HostRuntimeException.badInput(
          "run "
              + image.reference()
              + ": no command specified (the image has no ENTRYPOINT or CMD; give one after the"
              + " image)");
    }
    return List.copyOf(args);
  }

  private static List<String> env(
      ContainerSpec spec, ResolvedImage image, String hostname, ImageUsers.User user) {
    Map<String, String> env = new LinkedHashMap<>();
    put(env, DEFAULT_PATH);
    put(env, "HOSTNAME=" + hostname);
    image.env().forEach(kv -> put(env, kv));
    env.putAll(spec.env());
    env.putIfAbsent("HOME", user.home());
    return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  private static void put(Map<String, String> env, String kv) {
    int eq = kv.indexOf('=');
    env.put(kv.substring(0, eq), kv.substring(eq + 1));
  }

  private List<ContainerRecord.Mount> mounts(ContainerSpec spec) throws HostRuntimeException {
    List<ContainerRecord.Mount> mounts = new ArrayList<>();
    for (MountSpec m : spec.mounts()) {
      if (m.isBind()) {
        if (!Files.exists(Path.of(m.source()))) {
          throw HostRuntimeException.badInput(
              "-v " + m.source() + ":" + m.target() + ": source " + m.source() + " does not exist");
        }
        mounts.add(new ContainerRecord.Mount(m.source(), m.target(), m.readOnly(), null));
      } else {
        mounts.add(
            new ContainerRecord.Mount(
                store.volume(m.source()).toString(), m.target(), m.readOnly(), m.source()));
      }
    }
    return mounts;
  }

  /** overlay's option string separates with ',' and ':'; such paths cannot be layers. */
  private static void checkOverlayPaths(List<Path> dirs) throws HostRuntimeException {
    for (Path d : dirs) {
      String s = d.toString();
      if (s.contains(",") || s.contains(":") || s.contains("\\")) {
        throw HostRuntimeException.badInput(
            "rootfs " + s + ": a layer path cannot contain ',', ':' or '\\'");
      }
      if (!Files.isDirectory(d)) {
        throw HostRuntimeException.notFound("rootfs " + s + ": not a directory");
      }
    }
  }

  /** The overlay's dirs and the files bind-mounted at /etc/hostname, /etc/hosts, resolv.conf. */
  static void prepareFiles(ContainerRecord c, Path dir) throws HostRuntimeException {
    try {
      writeFiles(dir, c.hostname(), c.network().equals("host"));
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "create container " + c.shortId() + ": prepare " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The default host name: the short id, as Docker does. */
  static String defaultHostname(String id) {
    return id.substring(0, 12);
  }

  /** Overlay dirs and the /etc files; a standby has them already, for its default host name. */
  static void writeFiles(Path dir, String hostname, boolean host) throws IOException {
    for (String d : List.of("upper", "work", "rootfs")) {
      Files.createDirectories(dir.resolve(d));
    }
    Files.writeString(dir.resolve("hostname"), hostname + "\n");
    Path hostHosts = Path.of("/etc/hosts");
    String hosts =
        host && Files.isReadable(hostHosts)
            ? Files.readString(hostHosts)
            : "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t"
                + hostname
                + "\n";
    Files.writeString(dir.resolve("hosts"), hosts);
    Path resolv = Path.of("/etc/resolv.conf");
    Files.writeString(
        dir.resolve("resolv.conf"), Files.isReadable(resolv) ? Files.readString(resolv) : "");
  }
}
