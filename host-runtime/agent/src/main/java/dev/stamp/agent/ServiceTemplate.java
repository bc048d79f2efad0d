package dev.stamp.agent;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.MountSpec;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.service.ReplaceOptions;
import dev.stamp.runtime.service.ReplaceRecord;
import dev.stamp.runtime.service.ServiceRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A wire {@link ServiceSpec} turned into what host-runtime's services take: the replicas' container
 * template (problems named by the wire field: {@code resources.memoryBytes}), the published fronts
 * (0..N, in the spec's order: the first one's target is where TCP and HTTP checks go), the health
 * check and the replace options. Host checks happen here too: bind sources inside the agent's
 * allowed roots, secret files readable.
 */
record ServiceTemplate(
    ContainerSpec container,
    List<PortMapping> fronts,
    HealthCheck health,
    int replicas,
    ReplaceOptions replace) {

  /** host-runtime's field names → the wire's. */
  static final Map<ContainerSpec.Field, String> WIRE =
      Map.ofEntries(
          Map.entry(ContainerSpec.Field.IMAGE, "image"),
          Map.entry(ContainerSpec.Field.ENTRYPOINT, "entrypoint"),
          Map.entry(ContainerSpec.Field.ENV, "env"),
          Map.entry(ContainerSpec.Field.WORKDIR, "workingDir"),
          Map.entry(ContainerSpec.Field.USER, "user"),
          Map.entry(ContainerSpec.Field.MOUNTS, "volumes"),
          Map.entry(ContainerSpec.Field.MEMORY, "resources.memoryBytes"),
          Map.entry(ContainerSpec.Field.CPUS, "resources.cpus"),
          Map.entry(ContainerSpec.Field.PIDS_LIMIT, "resources.pids"),
          Map.entry(ContainerSpec.Field.STOP_SIGNAL, "stopSignal"),
          Map.entry(ContainerSpec.Field.STOP_TIMEOUT, "stopGracePeriod"));

  static final ContainerSpec.FieldNames NAMES = f -> WIRE.getOrDefault(f, f.specPath());

  /**
   * The template for {@code spec}; BAD_INPUT naming wire fields for what this host cannot run.
   * {@code secretMounts} bring the secrets in (see {@link SecretFiles}).
   */
  static ServiceTemplate of(ServiceSpec spec, List<Path> bindRoots, List<MountSpec> secretMounts)
      throws HostRuntimeException {
    List<String> problems = new ArrayList<>();
    ContainerSpec.Builder b = ContainerSpec.builder(NAMES).image(spec.image());
    if (spec.command() != null) {
      b.command(spec.command());
    }
    if (spec.entrypoint() != null) {
      b.entrypoint(spec.entrypoint());
    }
    b.env(spec.env());
    if (spec.user() != null) {
      b.user(spec.user());
    }
    if (spec.workingDir() != null) {
      b.workdir(spec.workingDir());
    }
    b.readOnly(Boolean.TRUE.equals(spec.readOnly()));
    b.init(Boolean.TRUE.equals(spec.init()));
    if (spec.stopSignal() != null) {
      b.stopSignal(spec.stopSignal());
    }
    if (spec.stopGracePeriod() != null) {
      b.stopTimeout(Duration.parse(spec.stopGracePeriod()));
    }
    ServiceSpec.Resources r = spec.resources();
    if (r != null) {
      if (r.memoryBytes() != null) {
        b.memoryBytes(r.memoryBytes());
      }
      if (r.cpus() != null) {
        b.cpuMillis(Math.round(r.cpus() * 1000));
      }
      if (r.pids() != null) {
        b.pidsLimit(r.pids());
      }
    }
    for (int i = 0; i < spec.volumes().size(); i++) {
      ServiceSpec.Volume v = spec.volumes().get(i);
      String type = v.type() == null ? "volume" : v.type();
      boolean ro = Boolean.TRUE.equals(v.readOnly());
      switch (type) {
        case "bind" -> {
          String why = outsideRoots(Path.of(v.source()), bindRoots);
          if (why != null) {
            problems.add("volumes[" + i + "].source: " + why);
          } else {
            b.mount(new MountSpec(v.source(), v.target(), ro));
          }
        }
        case "volume" -> b.mount(new MountSpec(v.source(), v.target(), ro));
        default ->
            problems.add(
                "volumes[" + i + "].type: " + type + " is not supported by this agent yet");
      }
    }
    secretMounts.forEach(b::mount);
    List<PortMapping> fronts = new ArrayList<>();
    for (int i = 0; i < spec.ports().size(); i++) {
      ServiceSpec.Port p = spec.ports().get(i);
      try {
        fronts.add(
            PortMapping.of(
                p.hostIp() == null ? PortMapping.ANY_HOST_IP : p.hostIp(),
                p.published(),
                p.target(),
                p.protocol() == null ? "tcp" : p.protocol()));
      } catch (HostRuntimeException | RuntimeException e) {
        problems.add("ports[" + i + "]: " + e.getMessage());
      }
    }
    HealthCheck health = health(spec.healthcheck());
    health.problems("healthcheck").forEach(problems::add);
    for (String p : problems) {
      b.problem(p);
    }
    ContainerSpec container = b.build();
    ReplaceOptions options =
        ReplaceOptions.defaults()
            .withOrder(
                "stop-first".equals(spec.updateOrder())
                    ? ReplaceRecord.Order.STOP_FIRST
                    : ReplaceRecord.Order.START_FIRST);
    if (spec.update() != null && spec.update().delay() != null) {
      options = options.withDelay(Duration.parse(spec.update().delay()));
    }
    if (spec.update() != null && spec.update().parallelism() != null) {
      options = options.withParallelism(spec.update().parallelism());
    }
    return new ServiceTemplate(
        container, List.copyOf(fronts), health, spec.replicaCount(), options);
  }

  /**
   * BAD_INPUT (a person must act: retrying cannot help) when this template publishes other ports
   * than the service {@code running} does: a replace swaps containers behind the published ports
   * and cannot move them, so it would leave the old ports serving the new version unnoticed.
   */
  void refusePortChange(String service, ServiceRecord running) throws HostRuntimeException {
    if (!running.fronts().equals(fronts)) {
      throw HostRuntimeException.badInput(
          "replace service "
              + service
              + ": ports change from "
              + describe(running.fronts())
              + " to "
              + describe(fronts)
              + ", and a running service's published ports cannot be changed in place yet;"
              + " delete the service and put it again");
    }
  }

  private static String describe(List<PortMapping> ports) {
    return ports.isEmpty() ? "none" : ports.stream().map(PortMapping::describe).toList().toString();
  }

  /**
   * The service's health check: the spec's (unset timings from the image's HEALTHCHECK, as Docker
   * merges them), else the image's own, else host-runtime's default (a TCP connect).
   */
  static HealthCheck health(ServiceSpec.Healthcheck h) {
    if (h == null) {
      return HealthCheck.inherit();
    }
    List<String> test = h.test();
    HealthCheck check =
        switch (test.get(0)) {
          case "NONE" -> HealthCheck.none();
          case "CMD" -> HealthCheck.cmd(test.subList(1, test.size()));
          case "CMD-SHELL" -> HealthCheck.shell(test.get(1));
          case "HTTP", "TCP" -> HealthCheck.ofTest(test); // with the port it may name
          default -> HealthCheck.tcp();
        };
    if (h.interval() != null) {
      check = check.withInterval(Duration.parse(h.interval()));
    }
    if (h.timeout() != null) {
      check = check.withTimeout(Duration.parse(h.timeout()));
    }
    if (h.startPeriod() != null) {
      check = check.withStartPeriod(Duration.parse(h.startPeriod()));
    }
    if (h.startInterval() != null) {
      check = check.withStartInterval(Duration.parse(h.startInterval()));
    }
    return check.withRetries(h.retries());
  }

  /** Why {@code source} may not be bound (null when it may): it must resolve inside a root. */
  static String outsideRoots(Path source, List<Path> roots) {
    if (roots.isEmpty()) {
      return "bind volumes are off on this agent (start it with --bind-root DIR)";
    }
    Path real;
    try {
      real = source.toRealPath();
    } catch (IOException e) {
      return source + " does not exist on this host";
    }
    for (Path root : roots) {
      try {
        if (real.startsWith(root.toRealPath())) {
          return null;
        }
      } catch (IOException e) {
        // a root that does not exist allows nothing
      }
    }
    return source
        + (real.equals(source) ? "" : " (" + real + ")")
        + " is outside the allowed roots "
        + roots;
  }
}
