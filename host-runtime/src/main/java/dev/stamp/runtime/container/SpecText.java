package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text as users write container settings ({@code 256m}, {@code 0.5}, {@code KEY=VALUE}), parsed
 * into the typed values a {@link ContainerSpec.Builder} takes. Each parser is told the field path
 * its input came from ({@code --memory}, {@code services.web.deploy.resources.limits.memory}) and
 * names it in its BAD_INPUT message ({@code PATH TEXT: reason}). Nothing here reads the calling
 * process's environment or looks at this machine: {@code KEY} without a value is looked up in the
 * map the caller passes.
 */
public final class SpecText {

  private static final Pattern ENV_KEY = Pattern.compile("[^=\\s\\x00][^=\\x00]*");

  private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private SpecText() {}

  /** Docker's durations as users type them: {@code 500ms}, {@code 1s}, {@code 1.5s}, {@code 2m}. */
  public static Duration duration(String path, String text) throws HostRuntimeException {
    Matcher m = DURATION.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw HostRuntimeException.badInput(
          path + " " + text + ": expected a duration like 500ms, 1s, 1.5s or 2m");
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

  /** A memory size in bytes: {@code 256m}, {@code 1g}, {@code 1048576}. */
  public static long memoryBytes(String path, String text) throws HostRuntimeException {
    return ByteSize.parse(text)
        .orElseThrow(
            () ->
                HostRuntimeException.badInput(
                    path + " " + text + ": expected a size like 256m or 1g"));
  }

  /** A CPU count ({@code 0.5}, {@code 2}) in thousandths of a CPU; at least 0.01. */
  public static long cpuMillis(String path, String text) throws HostRuntimeException {
    double cpus;
    try {
      cpus = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw HostRuntimeException.badInput(path + " " + text + ": expected a number like 0.5 or 2");
    }
    if (!Double.isFinite(cpus) || cpus < 0.01) {
      throw HostRuntimeException.badInput(
          path + " " + text + ": expected a number of at least 0.01");
    }
    return Math.round(cpus * 1000);
  }

  /** A process limit: a positive whole number. */
  public static long pidsLimit(String path, String text) throws HostRuntimeException {
    try {
      long n = Long.parseLong(text);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw HostRuntimeException.badInput(path + " " + text + ": expected a positive whole number");
  }

  /**
   * One {@code KEY=VALUE}, or {@code KEY} alone: Docker's "pass the caller's value", looked up in
   * {@code callerEnv} (empty when the caller has no such variable: nothing is set).
   */
  public static Optional<Map.Entry<String, String>> env(
      String path, String text, Map<String, String> callerEnv) throws HostRuntimeException {
    int eq = text.indexOf('=');
    String key = eq < 0 ? text : text.substring(0, eq);
    if (!ENV_KEY.matcher(key).matches() || text.indexOf('\0') >= 0) {
      throw HostRuntimeException.badInput(path + " " + text + ": expected KEY=VALUE");
    }
    if (eq >= 0) {
      return Optional.of(new AbstractMap.SimpleImmutableEntry<>(key, text.substring(eq + 1)));
    }
    String value = callerEnv.get(key);
    return value == null
        ? Optional.empty()
        : Optional.of(new AbstractMap.SimpleImmutableEntry<>(key, value));
  }

  /**
   * The content of an env file: {@code KEY=VALUE} (or {@code KEY}) lines; blank lines and {@code #}
   * comments are skipped. Every bad line is reported, "; "-separated.
   */
  public static Map<String, String> envFile(
      String path, String content, Map<String, String> callerEnv) throws HostRuntimeException {
    Map<String, String> env = new LinkedHashMap<>();
    StringBuilder problems = new StringBuilder();
    for (String line : content.split("\n", -1)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      try {
        env(path, l, callerEnv).ifPresent(e -> env.put(e.getKey(), e.getValue()));
      } catch (HostRuntimeException e) {
        problems.append(problems.length() == 0 ? "" : "; ").append(e.getMessage());
      }
    }
    if (problems.length() > 0) {
      throw HostRuntimeException.badInput(problems.toString());
    }
    return env;
  }
}
