package dev.stamp.controller.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How built images reach the agents. {@link Distribution#EMBEDDED}: the controller serves them
 * read-only (OCI distribution) on {@code listen}, agents reach it at {@code advertise} and present
 * HTTP basic credentials ({@link #PULL_USER}, the password in {@code pullPasswordFile}; required
 * unless {@code listen} is loopback). {@link Distribution#REGISTRY}: images are pushed to {@code
 * registry} ({@code host[:port]/prefix}) and agents pull from there; the controller pushes with the
 * credentials of {@code registryAuth} (Docker {@code config.json} form, mode 0600; none:
 * anonymous). {@code keepReleases}: how many releases per app keep their images; {@code
 * parallelBuilds}: builds at once; {@code gcInterval}: how often images no kept release references
 * are deleted.
 *
 * <p>{@code advertise} defaults to {@code listen}; so with {@code listen} on port 0 and no {@code
 * advertise}, the port to tell agents is the one the endpoint bound.
 */
public record ImagesConfig(
    Distribution distribution,
    HostPort listen,
    HostPort advertise,
    SecretFile pullPasswordFile,
    String registry,
    SecretFile registryAuth,
    int keepReleases,
    int parallelBuilds,
    Duration gcInterval) {

  /** Where images go. */
  public enum Distribution {
    EMBEDDED,
    REGISTRY;

    /** The name in the configuration file: {@code embedded}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The user name agents present to the embedded endpoint. */
  public static final String PULL_USER = "stamp";

  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 7701);
  public static final int DEFAULT_KEEP_RELEASES = 20;
  public static final int DEFAULT_PARALLEL_BUILDS = 2;
  public static final Duration DEFAULT_GC_INTERVAL = Duration.ofHours(1);

  /** The shortest image garbage collection interval accepted. */
  public static final Duration MIN_GC_INTERVAL = Duration.ofSeconds(1);

  /** The embedded endpoint on loopback, the default keep and parallelism. */
  public static final ImagesConfig DEFAULT =
      new ImagesConfig(
          Distribution.EMBEDDED,
          DEFAULT_LISTEN,
          DEFAULT_LISTEN,
          null,
          null,
          null,
          DEFAULT_KEEP_RELEASES,
          DEFAULT_PARALLEL_BUILDS,
          DEFAULT_GC_INTERVAL);

  private static final Pattern REGISTRY =
      Pattern.compile(
          "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
              + "|\\[[0-9A-Fa-f:.]+])(?::[0-9]{1,5})?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*");

  public ImagesConfig {
    Objects.requireNonNull(distribution, "distribution");
    if (distribution == Distribution.EMBEDDED) {
      Objects.requireNonNull(listen, "images.listen");
      if (advertise == null) {
        advertise = listen;
      }
      if (registry != null || registryAuth != null) {
        throw new IllegalArgumentException(
            "images.registry and registryAuth are for distribution: registry only");
      }
      if (pullPasswordFile == null && !listen.isLoopback()) {
        throw new IllegalArgumentException(
            "images.pullPasswordFile is required when the embedded endpoint listens beyond"
                + " loopback");
      }
    } else {
      if (listen != null || advertise != null || pullPasswordFile != null) {
        throw new IllegalArgumentException(
            "images.listen, advertise and pullPasswordFile are for distribution: embedded only");
      }
      String problem = registryProblem(registry);
      if (problem != null) {
        throw new IllegalArgumentException("images.registry: " + problem);
      }
    }
    if (keepReleases < 1 || parallelBuilds < 1) {
      throw new IllegalArgumentException("images: keepReleases and parallelBuilds must be >= 1");
    }
    Objects.requireNonNull(gcInterval, "images.gcInterval");
    if (gcInterval.compareTo(MIN_GC_INTERVAL) < 0) {
      throw new IllegalArgumentException("images.gcInterval: below " + MIN_GC_INTERVAL);
    }
  }

  /** The registry's {@code host[:port]}: where credentials are looked up. */
  public String registryHost() {
    return registryHost(registry);
  }

  static String registryHost(String registry) {
    int slash = registry.indexOf('/');
    return slash < 0 ? registry : registry.substring(0, slash);
  }

  /** Why {@code registry} is no {@code host[:port][/prefix]}, or null. */
  static String registryProblem(String registry) {
    if (registry == null) {
      return "required with distribution: registry (host[:port]/prefix, such as"
          + " 127.0.0.1:5000/stamp)";
    }
    if (!REGISTRY.matcher(registry).matches()) {
      return "expected host[:port]/prefix such as registry.example:5000/stamp, got \""
          + Urls.redact(registry)
          + "\"";
    }
    return null;
  }
}
