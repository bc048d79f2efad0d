package dev.stamp.runtime.service;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.network.lb.HealthCheck;
import dev.stamp.runtime.network.lb.HealthProbe;
import dev.stamp.runtime.network.lb.HttpProbe;
import dev.stamp.runtime.network.lb.TcpProbe;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a service's replicas are checked, in the form a service record stores: {@code kind} {@code
 * tcp} (connect to the replica's port), {@code http} ({@code target} is the path to GET) or {@code
 * cmd} ({@code target} is a shell command run inside the replica, exit 0 = healthy), with Docker's
 * timing fields in milliseconds.
 */
public record HealthSpec(
    String kind,
    String target,
    long intervalMillis,
    long timeoutMillis,
    int retries,
    long startPeriodMillis) {

  public static final String TCP = "tcp";
  public static final String HTTP = "http";
  public static final String CMD = "cmd";

  /** A service's defaults: a probe every 5 s, 2 s to answer, 3 failures make it unhealthy. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  /** A validated spec; {@code target} is ignored for tcp. */
  public static HealthSpec of(
      String kind,
      String target,
      Duration interval,
      Duration timeout,
      int retries,
      Duration startPeriod)
      throws HostRuntimeException {
    HealthSpec spec =
        new HealthSpec(
            kind,
            TCP.equals(kind) ? "" : target,
            interval.toMillis(),
            timeout.toMillis(),
            retries,
            startPeriod.toMillis());
    spec.check(ReplicaExec.NONE); // validates the probe and the timings
    return spec;
  }

  /** The check; {@code exec} runs a cmd probe in the replica whose bridge address it is given. */
  public HealthCheck check(ReplicaExec exec) throws HostRuntimeException {
    HealthProbe probe =
        switch (kind) {
          case TCP -> new TcpProbe();
          case HTTP -> HttpProbe.of(target);
          case CMD -> ExecProbe.of(target, exec);
          default ->
              throw HostRuntimeException.badInput(
                  "health check kind \"" + kind + "\": expected tcp, http or cmd");
        };
    return HealthCheck.of(
        probe,
        Duration.ofMillis(intervalMillis),
        Duration.ofMillis(timeoutMillis),
        retries,
        Duration.ofMillis(startPeriodMillis));
  }

  /** {@code tcp}, {@code http /health}, {@code cmd "test -f /ok"}: for listings. */
  public String describe() {
    return switch (kind) {
      case HTTP -> "http " + target;
      case CMD -> "cmd \"" + target + "\"";
      default -> kind;
    };
  }

  /** Docker's durations as users type them: {@code 500ms}, {@code 1s}, {@code 1.5s}, {@code 2m}. */
  public static Duration parseDuration(String option, String text) throws HostRuntimeException {
    Matcher m = DURATION.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw HostRuntimeException.badInput(
          option + " " + text + ": expected a duration like 500ms, 1s, 1.5s or 2m");
    }
    double amount = Double.parseDouble(m.group(1));
    long unitMillis =
        switch (m.group(2)) {
          case "ms" -> 1;
          case "s" -> 1000;
          case "m" -> 60_000;
          default -> 3_600_000;
        };
    return Duration.ofMillis(Math.round(amount * unitMillis));
  }
}
