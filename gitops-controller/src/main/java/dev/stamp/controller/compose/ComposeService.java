package dev.stamp.controller.compose;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One service of a {@link ComposeApp}, in Compose's terms, as loaded: absent fields are null (or
 * empty), {@code environment} may hold null values (a name with no value anywhere), durations and
 * sizes are in canonical units. {@link ServiceSpecs} turns it into what an agent runs.
 */
public record ComposeService(
    String name,
    Build build,
    String image,
    List<String> command,
    List<String> entrypoint,
    Map<String, String> environment,
    List<Port> ports,
    List<Mount> volumes,
    List<SecretRef> secrets,
    Healthcheck healthcheck,
    Map<String, Dependency> dependsOn,
    String user,
    String workingDir,
    Boolean readOnly,
    Boolean init,
    String stopSignal,
    Duration stopGracePeriod,
    Deploy deploy,
    Map<String, Object> xStamp) {

  public ComposeService {
    command = command == null ? null : List.copyOf(command);
    entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    environment = Maps.copy(environment);
    ports = ports == null ? List.of() : List.copyOf(ports);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
    dependsOn = Maps.copy(dependsOn);
    xStamp = Maps.copy(xStamp);
  }

  /** {@code context} resolved against the project directory; {@code args} null when unset. */
  public record Build(String context, String dockerfile, Map<String, String> args, String target) {
    public Build {
      args = Maps.copy(args);
    }
  }

  /**
   * A port: {@code published} is a host port, a host range ({@code 80-90}) or null (any free port);
   * {@code protocol} tcp or udp; {@code mode} ingress or host; {@code hostIp} may be null.
   */
  public record Port(int target, String published, String hostIp, String protocol, String mode) {}

  /** {@code type} volume (source: a declared name, or null for anonymous) or bind (a host path). */
  public record Mount(String type, String source, String target, boolean readOnly) {}

  /** A secret mounted at {@code target} (default {@code /run/secrets/SOURCE}). */
  public record SecretRef(String source, String target, String uid, String gid, Integer mode) {}

  /**
   * Docker's HEALTHCHECK: test {@code ["CMD", …]}, {@code ["CMD-SHELL", s]} or {@code ["NONE"]}.
   */
  public record Healthcheck(
      List<String> test,
      Duration interval,
      Duration timeout,
      Duration startPeriod,
      Duration startInterval,
      Integer retries,
      boolean disable) {
    public Healthcheck {
      test = test == null ? null : List.copyOf(test);
    }
  }

  /** condition service_started, service_healthy or service_completed_successfully. */
  public record Dependency(String condition, boolean required, boolean restart) {}

  public record Deploy(
      Integer replicas,
      Limits limits,
      UpdateConfig updateConfig,
      UpdateConfig rollbackConfig,
      List<String> constraints) {
    public Deploy {
      constraints = constraints == null ? List.of() : List.copyOf(constraints);
    }
  }

  /** cpus (0.5 = half a CPU), memory in bytes, process count; null when unset. */
  public record Limits(Double cpus, Long memoryBytes, Long pids) {}

  /** order start-first|stop-first, failureAction rollback|pause|continue. */
  public record UpdateConfig(
      Integer parallelism, Duration delay, String order, String failureAction, Duration monitor) {}
}
