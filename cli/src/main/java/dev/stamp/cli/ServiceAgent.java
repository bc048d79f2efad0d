package dev.stamp.cli;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.AgentException;
import dev.stamp.agent.api.PutResult;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.MountSpec;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.network.PortMapping;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code stamp service run|rm} on a state root that a running {@code stamp agent} serves (it wrote
 * {@code ROOT/agent/api.json} and answers): the service becomes the agent's desired state (a PUT of
 * a {@link ServiceSpec}), so its engine runs it — generations, health-gated deploys, restart
 * policies, drift, replaces — and the CLI only waits and prints. Without such an agent the CLI runs
 * the service itself with host-runtime's {@code Services} (the library the agent's engine calls).
 */
final class ServiceAgent {

  /** How long a run waits for the agent to call the first generation deployed. */
  static final Duration DEPLOY_PATIENCE = Duration.ofMinutes(5);

  private final AgentClient client;

  private ServiceAgent(AgentClient client) {
    this.client = client;
  }

  /** The agent serving {@code root}, if one answers; a stale api.json (agent gone) is none. */
  static Optional<ServiceAgent> of(StampRoot root) throws HostRuntimeException {
    if (!Files.exists(AgentOptions.file(root))) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ServiceAgent(new AgentOptions().client(root)));
    } catch (ControllerException e) {
      if (e.retryable()) {
        return Optional.empty(); // not answering: the in-process path owns the root
      }
      throw HostRuntimeException.badInput(
          "the agent of state root " + root.path() + ": " + e.getMessage());
    }
  }

  String describe() {
    return "the agent at " + client.base();
  }

  /**
   * The wire spec for {@code stamp service run}'s flags: the image by its digest in this root's
   * store. BAD_INPUT naming the flag for what an agent does not take: {@code --rootfs}, a {@code
   * --network} other than the default bridge, a published port without a fixed host port.
   */
  static ServiceSpec spec(
      StampRoot root,
      ContainerSpec c,
      List<PortMapping> fronts,
      HealthCheck health,
      int replicas,
      String agent)
      throws HostRuntimeException {
    List<String> problems = new ArrayList<>();
    if (c.rootfs().isPresent()) {
      problems.add("--rootfs: " + agent + " runs images from the store, not a directory");
    }
    if (c.network().isPresent()) {
      problems.add("--network: " + agent + " runs replicas on its default bridge");
    }
    List<ServiceSpec.Port> ports = new ArrayList<>();
    for (PortMapping p : fronts) {
      if (p.hostPort() == 0) {
        problems.add(
            "-p " + p.describe() + ": " + agent + " needs a fixed host port ([IP:]HOST:PORT)");
      }
      ports.add(new ServiceSpec.Port(p.containerPort(), p.hostPort(), p.hostIp(), p.protocol()));
    }
    if (!problems.isEmpty()) {
      throw HostRuntimeException.badInput(
          String.join("; ", problems)
              + " (stop the agent to run this service in the CLI, or change the flags)");
    }
    String image =
        ImageStore.open(root).resolve(c.image().orElseThrow()).manifestDigest().toString();
    List<ServiceSpec.Volume> volumes = new ArrayList<>();
    for (MountSpec m : c.mounts()) {
      volumes.add(
          new ServiceSpec.Volume(
              m.source().startsWith("/") ? "bind" : "volume",
              m.source(),
              m.target(),
              m.readOnly()));
    }
    return new ServiceSpec(
        image,
        c.command().isEmpty() ? null : c.command(),
        c.entrypoint().orElse(null),
        c.env(),
        ports,
        volumes,
        null,
        new ServiceSpec.Resources(
            c.limits().memoryBytes() > 0 ? c.limits().memoryBytes() : null,
            c.limits().cpuMillis() > 0 ? c.limits().cpuMillis() / 1000.0 : null,
            c.limits().pids() > 0 ? c.limits().pids() : null),
        c.user().orElse(null),
        c.workdir().orElse(null),
        c.readOnly() ? Boolean.TRUE : null,
        c.init() ? Boolean.TRUE : null,
        healthcheck(health),
        replicas,
        null,
        c.stopSignal().orElse(null),
        null,
        null);
  }

  /**
   * The flags' check on the wire: null to inherit the image's HEALTHCHECK, else test and timings.
   */
  static ServiceSpec.Healthcheck healthcheck(HealthCheck h) {
    if (h.kind() == HealthCheck.Kind.INHERIT && h.equals(HealthCheck.inherit())) {
      return null;
    }
    return new ServiceSpec.Healthcheck(
        h.kind() == HealthCheck.Kind.INHERIT ? null : h.test(),
        iso(h.intervalNanos()),
        iso(h.timeoutNanos()),
        h.retries(),
        iso(h.startPeriodNanos()),
        iso(h.startIntervalNanos()));
  }

  private static String iso(Long nanos) {
    return nanos == null || nanos == 0 ? null : Duration.ofNanos(nanos).toString();
  }

  /**
   * Makes {@code spec} the desired state of {@code name} and waits until the agent serves it: the
   * status when it does; FAILED with the agent's error (and the failing replica's last output line)
   * when it fails, after which the desired record is deleted again (a failed run leaves nothing);
   * CONFLICT when {@code name} is already one of the agent's services.
   */
  ServiceStatus run(String name, ServiceSpec spec) throws HostRuntimeException {
    String action = "run service " + name + " through " + describe();
    return call(
        action,
        () -> {
          if (client.service(name).isPresent()) {
            throw HostRuntimeException.conflict(
                action
                    + ": the agent already runs a service called "
                    + name
                    + " (stamp service rm "
                    + name
                    + ")");
          }
          PutResult put = client.putService(name, spec);
          long deadline = System.nanoTime() + DEPLOY_PATIENCE.toNanos();
          while (true) {
            Optional<ServiceStatus> s = client.service(name);
            if (s.isPresent()
                && s.get().observedGeneration() == put.generation()
                && "running".equals(s.get().state())) {
              return s.get();
            }
            if (s.isPresent()
                && s.get().lastError() != null
                && s.get().lastError().generation() == put.generation()) {
              ServiceStatus.LastError e = s.get().lastError();
              removeQuietly(name);
              List<String> tail = e.logTail() == null ? List.of() : e.logTail();
              String message =
                  action
                      + ": "
                      + e.message()
                      + (tail.isEmpty() ? "" : "; its last output: " + tail.get(tail.size() - 1));
              throw e.retryable()
                  ? HostRuntimeException.failed(message)
                  : HostRuntimeException.badInput(message);
            }
            if (System.nanoTime() > deadline) {
              throw HostRuntimeException.failed(
                  action
                      + ": not deployed within "
                      + DEPLOY_PATIENCE.toMinutes()
                      + " minutes (state "
                      + s.map(ServiceStatus::state).orElse("unknown")
                      + "); it stays desired on the agent");
            }
            Thread.sleep(100);
          }
        });
  }

  /** Whether the agent has {@code name} as one of its services. */
  boolean runs(String name) throws HostRuntimeException {
    try {
      return client.service(name).isPresent();
    } catch (AgentException e) {
      throw wrap("look up service " + name + " on " + describe(), e);
    }
  }

  /** Deletes {@code name} from the agent's desired state and waits until it is gone. */
  void remove(String name) throws HostRuntimeException {
    String action = "remove service " + name + " through " + describe();
    call(
        action,
        () -> {
          client.deleteService(name);
          long deadline = System.nanoTime() + DEPLOY_PATIENCE.toNanos();
          while (client.service(name).isPresent()) {
            if (System.nanoTime() > deadline) {
              throw HostRuntimeException.failed(action + ": still there after 5 minutes");
            }
            Thread.sleep(100);
          }
          return null;
        });
  }

  /** A conversation with the agent that may fail on the wire, on the host or be interrupted. */
  private interface AgentCall<T> {
    T call() throws AgentException, HostRuntimeException, InterruptedException;
  }

  /** {@code body}, its agent errors by HTTP status as the CLI's kinds. */
  private static <T> T call(String action, AgentCall<T> body) throws HostRuntimeException {
    try {
      return body.call();
    } catch (AgentException e) {
      throw wrap(action, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HostRuntimeException.failed(action + ": interrupted");
    }
  }

  private void removeQuietly(String name) {
    try {
      remove(name);
    } catch (HostRuntimeException e) {
      System.err.println("stamp: " + e.getMessage());
    }
  }

  private static HostRuntimeException wrap(String action, AgentException e) {
    String message = action + ": " + e.getMessage();
    return switch (e.status()) {
      case 400, 422 -> HostRuntimeException.badInput(message);
      case 404 -> HostRuntimeException.notFound(message);
      case 409 -> HostRuntimeException.conflict(message);
      default -> HostRuntimeException.failed(message, e);
    };
  }
}
