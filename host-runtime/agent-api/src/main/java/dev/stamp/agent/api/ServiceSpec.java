package dev.stamp.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The desired state of one service on one host, as {@code PUT /v1/services/{name}} carries it. The
 * wire form: absent fields take the defaults below; durations are ISO-8601 ({@code PT0.2S}); sizes
 * are bytes. {@link #problems()} lists everything wrong with it at once, each with its field path;
 * the agent refuses a spec with any problem and changes nothing.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceSpec(
    String image,
    List<String> command,
    List<String> entrypoint,
    Map<String, String> env,
    List<Port> ports,
    List<Volume> volumes,
    List<Secret> secrets,
    Resources resources,
    String user,
    String workingDir,
    Boolean readOnly,
    Boolean init,
    Healthcheck healthcheck,
    Integer replicas,
    Update update,
    String stopSignal,
    String stopGracePeriod,
    String restart) {

  /** At most this many replicas of one service on one host. */
  public static final int MAX_REPLICAS = 256;

  private static final Pattern DIGEST_REF =
      Pattern.compile("(?:[a-z0-9][a-z0-9._/:-]*@)?sha256:[a-f0-9]{64}");
  private static final Pattern ENV_KEY = Pattern.compile("[^=\\x00]+");
  private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern VOLUME_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Pattern SIGNAL = Pattern.compile("(?:SIG)?[A-Z0-9+-]+|[0-9]{1,2}");
  private static final Pattern RESTART =
      Pattern.compile("no|always|unless-stopped|on-failure(?::[0-9]{1,4})?");

  public ServiceSpec {
    command = command == null ? null : List.copyOf(command);
    entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    ports = ports == null ? List.of() : List.copyOf(ports);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
  }

  /**
   * A published port: host {@code published} (on {@code hostIp}) to container {@code target}. A
   * service publishes none, one or several ({@code ports}); all are switched to new replicas at the
   * same moment, and no host port/protocol may appear twice.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Port(Integer target, Integer published, String hostIp, String protocol) {}

  /**
   * A named volume ({@code type: volume}, survives replacement), a host directory ({@code bind},
   * inside the agent's allowed roots) or a {@code tmpfs}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Volume(String type, String source, String target, Boolean readOnly) {}

  /** A file on the agent's host, mounted read-only at {@code /run/secrets/NAME} from a tmpfs. */
  public record Secret(String name, String file) {}

  /** Limits: memory in bytes, CPUs (0.5 = half a CPU), process count. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Resources(Long memoryBytes, Double cpus, Long pids) {}

  /**
   * Docker HEALTHCHECK semantics: {@code test} is {@code ["NONE"]}, {@code ["CMD", argv...]},
   * {@code ["CMD-SHELL", "command"]} (both run inside the container), {@code ["HTTP", "/path"]} (a
   * GET) or {@code ["TCP"]} (a connect), probed from the host at the replica's address and the
   * first published port's target, or the container port the test names last ({@code ["HTTP",
   * "/path", "8080"]}, {@code ["TCP", "5432"]}; a service without {@code ports} needs one named).
   * Absent: the image's HEALTHCHECK, else a TCP connect (no check without ports).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Healthcheck(
      List<String> test,
      String interval,
      String timeout,
      Integer retries,
      String startPeriod,
      String startInterval) {}

  /** How replicas are replaced: {@code start-first} (default) or {@code stop-first}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Update(String order, Integer parallelism, String delay) {}

  /** This spec with another image. */
  public ServiceSpec withImage(String value) {
    return with(f -> f.image = value);
  }

  /** This spec with another environment. */
  public ServiceSpec withEnv(Map<String, String> value) {
    return with(f -> f.env = value);
  }

  /** This spec with another replica count (null: the default, one). */
  public ServiceSpec withReplicas(Integer value) {
    return with(f -> f.replicas = value);
  }

  /** This spec with another update policy (null: the defaults). */
  public ServiceSpec withUpdate(Update value) {
    return with(f -> f.update = value);
  }

  /** This spec with another restart policy (null: the default, no). */
  public ServiceSpec withRestart(String value) {
    return with(f -> f.restart = value);
  }

  /** A copy with the fields {@code change} sets; every other field as in this spec. */
  private ServiceSpec with(java.util.function.Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.toSpec();
  }

  /** The record's fields, settable, for {@link #with}. */
  private static final class Fields {
    String image;
    List<String> command;
    List<String> entrypoint;
    Map<String, String> env;
    List<Port> ports;
    List<Volume> volumes;
    List<Secret> secrets;
    Resources resources;
    String user;
    String workingDir;
    Boolean readOnly;
    Boolean init;
    Healthcheck healthcheck;
    Integer replicas;
    Update update;
    String stopSignal;
    String stopGracePeriod;
    String restart;

    Fields(ServiceSpec s) {
      image = s.image;
      command = s.command;
      entrypoint = s.entrypoint;
      env = s.env;
      ports = s.ports;
      volumes = s.volumes;
      secrets = s.secrets;
      resources = s.resources;
      user = s.user;
      workingDir = s.workingDir;
      readOnly = s.readOnly;
      init = s.init;
      healthcheck = s.healthcheck;
      replicas = s.replicas;
      update = s.update;
      stopSignal = s.stopSignal;
      stopGracePeriod = s.stopGracePeriod;
      restart = s.restart;
    }

    ServiceSpec toSpec() {
      return new ServiceSpec(
          image,
          command,
          entrypoint,
          env,
          ports,
          volumes,
          secrets,
          resources,
          user,
          workingDir,
          readOnly,
          init,
          healthcheck,
          replicas,
          update,
          stopSignal,
          stopGracePeriod,
          restart);
    }
  }

  public int replicaCount() {
    return replicas == null ? 1 : replicas;
  }

  public String updateOrder() {
    return update == null || update.order() == null ? "start-first" : update.order();
  }

  /** Every problem with this spec, each with its field path; empty when it can be deployed. */
  public List<Problem> problems() {
    List<Problem> p = new ArrayList<>();
    if (image == null || image.isBlank()) {
      p.add(new Problem("image", "required: an image by digest (sha256:… or NAME@sha256:…)"));
    } else if (!DIGEST_REF.matcher(image).matches()) {
      p.add(
          new Problem(
              "image",
              "expected an image by digest (sha256:<64 hex> or NAME@sha256:…), got " + image));
    }
    if (command != null && command.stream().anyMatch(a -> a == null)) {
      p.add(new Problem("command", "must not hold null"));
    }
    if (entrypoint != null && entrypoint.stream().anyMatch(a -> a == null)) {
      p.add(new Problem("entrypoint", "must not hold null"));
    }
    env.forEach(
        (k, v) -> {
          if (k == null || !ENV_KEY.matcher(k).matches()) {
            p.add(new Problem("env", "a variable name must be non-empty without '=', got " + k));
          } else if (v == null) {
            p.add(new Problem("env." + k, "must be a string"));
          }
        });
    Set<String> fronts = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      Port port = ports.get(i);
      String at = "ports[" + i + "]";
      if (port == null) {
        p.add(new Problem(at, "must not be null"));
        continue;
      }
      if (port.target() == null || port.target() < 1 || port.target() > 65535) {
        p.add(new Problem(at + ".target", "a port 1-65535, got " + port.target()));
      }
      if (port.published() == null || port.published() < 1 || port.published() > 65535) {
        p.add(new Problem(at + ".published", "a host port 1-65535, got " + port.published()));
      }
      String proto = port.protocol() == null ? "tcp" : port.protocol();
      if (!proto.equals("tcp") && !proto.equals("udp")) {
        p.add(new Problem(at + ".protocol", "tcp or udp, got " + proto));
      }
      if (port.hostIp() != null && !port.hostIp().matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
        p.add(new Problem(at + ".hostIp", "an IPv4 address, got " + port.hostIp()));
      }
      if (!fronts.add(port.published() + "/" + proto)) {
        p.add(new Problem(at + ".published", "port " + port.published() + "/" + proto + " twice"));
      }
    }
    Set<String> targets = new HashSet<>();
    for (int i = 0; i < volumes.size(); i++) {
      Volume v = volumes.get(i);
      String at = "volumes[" + i + "]";
      if (v == null) {
        p.add(new Problem(at, "must not be null"));
        continue;
      }
      String type = v.type() == null ? "volume" : v.type();
      switch (type) {
        case "volume" -> {
          if (v.source() == null || !VOLUME_NAME.matcher(v.source()).matches()) {
            p.add(new Problem(at + ".source", "a volume name [A-Za-z0-9_.-], got " + v.source()));
          }
        }
        case "bind" -> {
          if (!absoluteClean(v.source())) {
            p.add(
                new Problem(
                    at + ".source", "an absolute host path without '..', got " + v.source()));
          }
        }
        case "tmpfs" -> {
          if (v.source() != null) {
            p.add(new Problem(at + ".source", "a tmpfs has no source"));
          }
        }
        default -> p.add(new Problem(at + ".type", "volume, bind or tmpfs, got " + type));
      }
      if (!absoluteClean(v.target())) {
        p.add(new Problem(at + ".target", "an absolute path without '..', got " + v.target()));
      } else if (!targets.add(v.target())) {
        p.add(new Problem(at + ".target", v.target() + " is mounted twice"));
      }
    }
    Set<String> secretNames = new HashSet<>();
    for (int i = 0; i < secrets.size(); i++) {
      Secret s = secrets.get(i);
      String at = "secrets[" + i + "]";
      if (s == null) {
        p.add(new Problem(at, "must not be null"));
        continue;
      }
      if (s.name() == null || !SECRET_NAME.matcher(s.name()).matches()) {
        p.add(new Problem(at + ".name", "a name [A-Za-z0-9_.-], got " + s.name()));
      } else if (!secretNames.add(s.name())) {
        p.add(new Problem(at + ".name", "secret " + s.name() + " twice"));
      }
      if (!absoluteClean(s.file())) {
        p.add(new Problem(at + ".file", "an absolute path on the agent's host, got " + s.file()));
      }
    }
    if (resources != null) {
      if (resources.memoryBytes() != null && resources.memoryBytes() < 6L * 1024 * 1024) {
        p.add(
            new Problem(
                "resources.memoryBytes",
                "at least 6291456 (6 MiB), got " + resources.memoryBytes()));
      }
      if (resources.cpus() != null
          && (!(resources.cpus() > 0) || resources.cpus() > 1024 || resources.cpus().isNaN())) {
        p.add(
            new Problem("resources.cpus", "more than 0 and at most 1024, got " + resources.cpus()));
      }
      if (resources.pids() != null && resources.pids() < 1) {
        p.add(new Problem("resources.pids", "at least 1, got " + resources.pids()));
      }
    }
    if (workingDir != null && !absoluteClean(workingDir)) {
      p.add(new Problem("workingDir", "an absolute path without '..', got " + workingDir));
    }
    if (user != null
        && !user.matches("[A-Za-z0-9_.][A-Za-z0-9_.-]*(:[A-Za-z0-9_.][A-Za-z0-9_.-]*)?")) {
      p.add(new Problem("user", "USER[:GROUP] (names or numbers), got " + user));
    }
    if (healthcheck != null) {
      checkHealth(p);
    }
    if (replicas != null && (replicas < 1 || replicas > MAX_REPLICAS)) {
      p.add(new Problem("replicas", "1 to " + MAX_REPLICAS + ", got " + replicas));
    }
    if (update != null) {
      if (update.order() != null
          && !update.order().equals("start-first")
          && !update.order().equals("stop-first")) {
        p.add(new Problem("update.order", "start-first or stop-first, got " + update.order()));
      }
      if (update.parallelism() != null && update.parallelism() < 1) {
        p.add(new Problem("update.parallelism", "at least 1, got " + update.parallelism()));
      }
      Durations.check("update.delay", update.delay(), Duration.ofHours(1), p);
    }
    if (stopSignal != null && !SIGNAL.matcher(stopSignal).matches()) {
      p.add(new Problem("stopSignal", "a signal name (SIGTERM) or number, got " + stopSignal));
    }
    Durations.check("stopGracePeriod", stopGracePeriod, Duration.ofHours(1), p);
    if (restart != null && !RESTART.matcher(restart).matches()) {
      p.add(new Problem("restart", "no, on-failure[:N], always or unless-stopped, got " + restart));
    }
    return p;
  }

  private void checkHealth(List<Problem> p) {
    Healthcheck h = healthcheck;
    List<String> test = h.test();
    if (test == null || test.isEmpty()) {
      p.add(
          new Problem(
              "healthcheck.test",
              "required: [\"CMD\", …], [\"CMD-SHELL\", \"…\"], [\"HTTP\", \"/path\"], [\"TCP\"] or [\"NONE\"]"));
    } else {
      String kind = test.get(0);
      boolean ok =
          switch (kind) {
            case "NONE" -> test.size() == 1;
            case "CMD" -> test.size() >= 2;
            case "CMD-SHELL" -> test.size() == 2;
            case "HTTP" ->
                (test.size() == 2 || (test.size() == 3 && isPort(test.get(2))))
                    && test.get(1) != null
                    && test.get(1).startsWith("/");
            case "TCP" -> test.size() == 1 || (test.size() == 2 && isPort(test.get(1)));
            default -> false;
          };
      if (!ok) {
        p.add(
            new Problem(
                "healthcheck.test",
                "[\"NONE\"], [\"CMD\", argv…], [\"CMD-SHELL\", \"command\"], [\"HTTP\","
                    + " \"/path\"(, \"PORT\")] or [\"TCP\"(, \"PORT\")], got "
                    + test));
      } else if (ports.isEmpty()
          && ((kind.equals("HTTP") && test.size() == 2)
              || (kind.equals("TCP") && test.size() == 1))) {
        p.add(
            new Problem(
                "healthcheck.test",
                kind
                    + " probes the first published port's target, but ports is empty; name the"
                    + " container port in the test, give [\"CMD\", …] or [\"CMD-SHELL\", \"…\"]"
                    + " (run inside the replica) or [\"NONE\"], or publish a port"));
      }
    }
    Duration day = Duration.ofDays(1);
    Durations.check("healthcheck.interval", h.interval(), day, p);
    Durations.check("healthcheck.timeout", h.timeout(), day, p);
    Durations.check("healthcheck.startPeriod", h.startPeriod(), day, p);
    Durations.check("healthcheck.startInterval", h.startInterval(), day, p);
    if (h.retries() != null && (h.retries() < 0 || h.retries() > 1000)) {
      p.add(new Problem("healthcheck.retries", "0 to 1000, got " + h.retries()));
    }
  }

  /** A container port 1-65535 in decimal, as a health check test names it. */
  private static boolean isPort(String s) {
    return s != null
        && s.matches("[0-9]{1,5}")
        && Integer.parseInt(s) >= 1
        && Integer.parseInt(s) <= 65535;
  }

  private static boolean absoluteClean(String path) {
    if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
      return false;
    }
    for (String part : path.split("/")) {
      if (part.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
