package dev.stamp.runtime.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.stamp.runtime.HostRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Stamp's one health check, with Docker's HEALTHCHECK semantics and its image-config JSON ({@code
 * Healthcheck} in an OCI image config; this record's JSON is that format exactly). {@code test}:
 *
 * <ul>
 *   <li>empty or null: inherit (the image's check; for an image, its base's);
 *   <li>{@code ["NONE"]}: no check (Docker's {@code HEALTHCHECK NONE}, {@code --no-healthcheck});
 *   <li>{@code ["CMD", arg…]}: run argv inside the container, exit 0 = healthy;
 *   <li>{@code ["CMD-SHELL", command]}: {@code /bin/sh -c command} inside the container;
 *   <li>{@code ["HTTP", "/path"]}, {@code ["TCP"]} (Stamp's, not Docker's): from the host, an HTTP
 *       GET answered 2xx/3xx, or a TCP connect, to the container's address and port (a service's:
 *       its first published port's target); {@code ["HTTP", "/path", "PORT"]} and {@code ["TCP",
 *       "PORT"]} name the container port to probe instead ({@link #port}).
 * </ul>
 *
 * Durations are nanoseconds, null or 0 meaning unset (inherit, else Docker's default: interval 30
 * s, timeout 30 s, start period 0, start interval 5 s, retries 3). Failures within the start period
 * do not count while the container has never been healthy, and it is probed every start interval
 * meanwhile. {@link #over} merges a check over the one it inherits from, field by field, as Docker
 * merges a container's health config over its image's.
 */
@JsonPropertyOrder({"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
public record HealthCheck(
    @JsonProperty("Test") List<String> test,
    @JsonProperty("Interval") Long intervalNanos,
    @JsonProperty("Timeout") Long timeoutNanos,
    @JsonProperty("StartPeriod") Long startPeriodNanos,
    @JsonProperty("StartInterval") Long startIntervalNanos,
    @JsonProperty("Retries") Integer retries) {

  /** What {@link #test} asks for. */
  public enum Kind {
    INHERIT,
    NONE,
    CMD,
    CMD_SHELL,
    HTTP,
    TCP;

    /** Whether the probe runs inside the container (a command), not from the host. */
    public boolean inContainer() {
      return this == CMD || this == CMD_SHELL;
    }
  }

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);
  public static final int DEFAULT_RETRIES = 3;
  private static final Duration SHORTEST = Duration.ofMillis(1);
  private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  public HealthCheck {
    test = test == null ? null : List.copyOf(test);
  }

  /** No test of its own, no timings: everything inherited. */
  public static HealthCheck inherit() {
    return new HealthCheck(List.of(), null, null, null, null, null);
  }

  /** {@code NONE}: health checking off. */
  public static HealthCheck none() {
    return ofTest(List.of("NONE"));
  }

  /** {@code CMD argv…}: a command run inside the container. */
  public static HealthCheck cmd(List<String> argv) {
    List<String> test = new ArrayList<>();
    test.add("CMD");
    test.addAll(argv);
    return ofTest(test);
  }

  /** {@code CMD-SHELL command}: {@code /bin/sh -c command} inside the container. */
  public static HealthCheck shell(String command) {
    return ofTest(List.of("CMD-SHELL", command));
  }

  /** An HTTP GET of {@code path} from the host. */
  public static HealthCheck http(String path) {
    return ofTest(List.of("HTTP", path));
  }

  /** A TCP connect from the host. */
  public static HealthCheck tcp() {
    return ofTest(List.of("TCP"));
  }

  /** A check with {@code test} and no timings of its own. */
  public static HealthCheck ofTest(List<String> test) {
    return new HealthCheck(test, null, null, null, null, null);
  }

  /** What the test asks for; INHERIT for an empty test (an unknown one is refused by check). */
  public Kind kind() {
    if (test == null || test.isEmpty()) {
      return Kind.INHERIT;
    }
    return switch (test.get(0)) {
      case "NONE" -> Kind.NONE;
      case "CMD" -> Kind.CMD;
      case "CMD-SHELL" -> Kind.CMD_SHELL;
      case "HTTP" -> Kind.HTTP;
      case "TCP" -> Kind.TCP;
      default -> Kind.INHERIT;
    };
  }

  /** The command a CMD or CMD-SHELL check runs inside the container, as argv. */
  public List<String> argv() {
    return switch (kind()) {
      case CMD -> test.subList(1, test.size());
      case CMD_SHELL -> List.of("/bin/sh", "-c", test.get(1));
      default -> List.of();
    };
  }

  /** The path an HTTP check GETs. */
  public String httpPath() {
    return kind() == Kind.HTTP ? test.get(1) : "";
  }

  /**
   * The container port an HTTP or TCP check names ({@code ["TCP", "8443"]}, {@code ["HTTP",
   * "/health", "8080"]}); empty when it names none (the caller's port applies) or is not valid.
   */
  public java.util.OptionalInt port() {
    int at =
        switch (kind()) {
          case TCP -> 1;
          case HTTP -> 2;
          default -> -1;
        };
    if (at < 0 || test.size() != at + 1 || !PORT.matcher(test.get(at)).matches()) {
      return java.util.OptionalInt.empty();
    }
    int port = Integer.parseInt(test.get(at));
    return port >= 1 && port <= 65535
        ? java.util.OptionalInt.of(port)
        : java.util.OptionalInt.empty();
  }

  public Duration interval() {
    return orDefault(intervalNanos, DEFAULT_INTERVAL);
  }

  public Duration timeout() {
    return orDefault(timeoutNanos, DEFAULT_TIMEOUT);
  }

  public Duration startPeriod() {
    return orDefault(startPeriodNanos, Duration.ZERO);
  }

  public Duration startInterval() {
    return orDefault(startIntervalNanos, DEFAULT_START_INTERVAL);
  }

  /** Failures in a row that make the container unhealthy. */
  public int retryLimit() {
    return retries == null || retries == 0 ? DEFAULT_RETRIES : retries;
  }

  public HealthCheck withInterval(Duration d) {
    return new HealthCheck(
        test, nanos(d), timeoutNanos, startPeriodNanos, startIntervalNanos, retries);
  }

  public HealthCheck withTimeout(Duration d) {
    return new HealthCheck(
        test, intervalNanos, nanos(d), startPeriodNanos, startIntervalNanos, retries);
  }

  public HealthCheck withStartPeriod(Duration d) {
    return new HealthCheck(
        test, intervalNanos, timeoutNanos, nanos(d), startIntervalNanos, retries);
  }

  public HealthCheck withStartInterval(Duration d) {
    return new HealthCheck(test, intervalNanos, timeoutNanos, startPeriodNanos, nanos(d), retries);
  }

  public HealthCheck withRetries(Integer n) {
    return new HealthCheck(
        test, intervalNanos, timeoutNanos, startPeriodNanos, startIntervalNanos, n);
  }

  /**
   * This check over {@code base} (what it inherits: the image's check, then defaults): an empty
   * test takes the base's, an unset timing (null or 0) the base's, as Docker merges a container's
   * health config over its image's.
   */
  public HealthCheck over(HealthCheck base) {
    if (base == null) {
      return this;
    }
    return new HealthCheck(
        kind() == Kind.INHERIT ? base.test : test,
        set(intervalNanos) ? intervalNanos : base.intervalNanos,
        set(timeoutNanos) ? timeoutNanos : base.timeoutNanos,
        set(startPeriodNanos) ? startPeriodNanos : base.startPeriodNanos,
        set(startIntervalNanos) ? startIntervalNanos : base.startIntervalNanos,
        retries != null && retries != 0 ? retries : base.retries);
  }

  /**
   * Every problem of this check, each as {@code PATH.field VALUE: reason} ({@code PATH} is where
   * the caller read it, e.g. {@code services.web.healthcheck}); empty when it is valid.
   */
  public List<String> problems(String path) {
    List<String> all = new ArrayList<>();
    if (test != null && !test.isEmpty()) {
      String at = path + ".test " + test + ": ";
      switch (test.get(0)) {
        case "NONE" -> {
          if (test.size() != 1) {
            all.add(at + "NONE takes no arguments");
          }
        }
        case "TCP" -> {
          if (test.size() > 2 || (test.size() == 2 && port().isEmpty())) {
            all.add(at + "TCP takes at most a container port (1-65535)");
          }
        }
        case "CMD" -> {
          if (test.size() < 2 || test.get(1).isEmpty() || hasNul(test)) {
            all.add(at + "CMD needs a command");
          }
        }
        case "CMD-SHELL" -> {
          if (test.size() != 2 || test.get(1).isBlank() || hasNul(test)) {
            all.add(at + "CMD-SHELL needs one command string");
          }
        }
        case "HTTP" -> {
          if (test.size() < 2 || test.size() > 3 || !PATH.matcher(test.get(1)).matches()) {
            all.add(at + "HTTP needs an absolute path like /health");
          } else if (test.size() == 3 && port().isEmpty()) {
            all.add(at + "HTTP's third element is a container port (1-65535)");
          }
        }
        default -> all.add(at + "expected NONE, CMD, CMD-SHELL, HTTP or TCP");
      }
    }
    atLeast(all, path + ".interval", intervalNanos);
    atLeast(all, path + ".timeout", timeoutNanos);
    atLeast(all, path + ".startInterval", startIntervalNanos);
    if (startPeriodNanos != null && startPeriodNanos < 0) {
      all.add(
          path + ".startPeriod " + Duration.ofNanos(startPeriodNanos) + ": must not be negative");
    }
    if (retries != null && retries < 0) {
      all.add(path + ".retries " + retries + ": must not be negative");
    }
    return all;
  }

  /** This check, or BAD_INPUT listing every problem ({@link #problems}). */
  public HealthCheck check(String path) throws HostRuntimeException {
    List<String> all = problems(path);
    if (!all.isEmpty()) {
      throw HostRuntimeException.badInput(String.join("; ", all));
    }
    return this;
  }

  /** {@code tcp}, {@code http /health}, {@code cmd "test -f /ok"}, {@code none}: for listings. */
  public String describe() {
    return switch (kind()) {
      case INHERIT -> "image";
      case NONE -> "none";
      case CMD -> "cmd " + argv();
      case CMD_SHELL -> "cmd \"" + test.get(1) + "\"";
      case HTTP -> "http " + test.get(1) + (test.size() > 2 ? " port " + test.get(2) : "");
      case TCP -> "tcp" + (test.size() > 1 ? " port " + test.get(1) : "");
    };
  }

  private static void atLeast(List<String> all, String field, Long nanos) {
    if (nanos != null && nanos != 0 && nanos < SHORTEST.toNanos()) {
      all.add(field + " " + Duration.ofNanos(nanos) + ": must be at least 1ms (or 0: the default)");
    }
  }

  private static boolean hasNul(List<String> test) {
    return test.stream().anyMatch(s -> s == null || s.indexOf('\0') >= 0);
  }

  private static boolean set(Long nanos) {
    return nanos != null && nanos != 0;
  }

  private static Long nanos(Duration d) {
    return d == null ? null : d.toNanos();
  }

  private static Duration orDefault(Long nanos, Duration dflt) {
    return set(nanos) ? Duration.ofNanos(nanos) : dflt;
  }
}
