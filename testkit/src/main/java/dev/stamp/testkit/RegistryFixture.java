package dev.stamp.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real registry for tests: Debian's {@code docker-registry serve CONFIG} (distribution 2.8) with
 * a config of its own — filesystem storage in a temp dir, {@code http.addr: 127.0.0.1:0} (the port
 * is read back from its log, so parallel tests never race for one), deletes enabled, optionally
 * htpasswd basic auth. {@link #start()} waits until {@code /v2/} answers; {@link #close()} stops
 * the process and deletes its files. Tests skip (not fail) when the binary is missing.
 *
 * <pre>{@code
 * try (RegistryFixture registry = RegistryFixture.start()) {
 *   String ref = registry.host() + "/app:1";   // 127.0.0.1:PORT/app:1
 * }
 * }</pre>
 */
public final class RegistryFixture implements AutoCloseable {

  public static final Path BINARY = Path.of("/usr/bin/docker-registry");
  public static final Path HTPASSWD = Path.of("/usr/bin/htpasswd");

  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern REQUEST =
      Pattern.compile("\"(GET|HEAD|POST|PUT|PATCH|DELETE) (\\S+) HTTP/[0-9.]+\" (\\d{3})");
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final String SYNC_REPOSITORY = "stamp-fixture-sync";

  private final java.util.concurrent.atomic.AtomicInteger syncCounter =
      new java.util.concurrent.atomic.AtomicInteger();

  private final Path dir;
  private final Path log;
  private final Process process;
  private final Thread reaper;
  private final int port;

  private RegistryFixture(Path dir, Path log, Process process, Thread reaper, int port) {
    this.dir = dir;
    this.log = log;
    this.process = process;
    this.reaper = reaper;
    this.port = port;
  }

  /** A registry without authentication. */
  public static RegistryFixture start() {
    return start(null, null);
  }

  /**
   * A registry that demands HTTP basic auth for {@code user}/{@code password} (htpasswd with a
   * bcrypt line made by {@code htpasswd -nbB}, from apache2-utils; skips when it is missing).
   */
  public static RegistryFixture startWithBasicAuth(String user, String password) {
    Assumptions.assumeTrue(
        Files.isExecutable(HTPASSWD),
        "skipped: needs " + HTPASSWD + " (Debian package apache2-utils; bin/setup installs it)");
    return start(user, password);
  }

  /** Whether Debian's docker-registry is installed. */
  public static boolean available() {
    return Files.isExecutable(BINARY);
  }

  private static RegistryFixture start(String user, String password) {
    Assumptions.assumeTrue(
        available(),
        "skipped: needs " + BINARY + " (Debian package docker-registry; bin/setup installs it)");
    try {
      Path dir = Files.createTempDirectory("stamp-registry-");
      Path config = dir.resolve("config.yml");
      Files.writeString(config, config(dir, user, password));
      Path log = dir.resolve("registry.log");
      Process process =
          new ProcessBuilder(BINARY.toString(), "serve", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Thread reaper = new Thread(process::destroyForcibly, "registry-fixture-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      RegistryFixture fixture;
      try {
        fixture = new RegistryFixture(dir, log, process, reaper, awaitPort(process, log));
        fixture.awaitReady();
      } catch (RuntimeException | Error e) {
        process.destroyForcibly();
        Runtime.getRuntime().removeShutdownHook(reaper);
        throw e;
      }
      return fixture;
    } catch (IOException e) {
      throw new UncheckedIOException("start docker-registry", e);
    }
  }

  private static String config(Path dir, String user, String password) throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("version: 0.1\n")
        .append("log:\n  level: info\n  formatter: text\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ")
        .append(dir.resolve("storage"))
        .append("\n  delete:\n    enabled: true\n")
        .append("http:\n  addr: 127.0.0.1:0\n  secret: stamp-test-secret\n");
    if (user != null) {
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(htpasswd, htpasswdLine(user, password));
      yaml.append("auth:\n  htpasswd:\n    realm: stamp-test\n    path: ")
          .append(htpasswd)
          .append("\n");
    }
    return yaml.toString();
  }

  private static String htpasswdLine(String user, String password) throws IOException {
    Process p = new ProcessBuilder(HTPASSWD.toString(), "-nbB", user, password).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
        throw new IOException("htpasswd -nbB failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out + "\n";
  }

  private static int awaitPort(Process process, Path log) throws IOException {
    Instant deadline = Instant.now().plus(STARTUP);
    while (Instant.now().isBefore(deadline)) {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "docker-registry exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      sleep(20);
    }
    throw new IllegalStateException(
        "docker-registry did not report its port within "
            + STARTUP
            + ":\n"
            + Files.readString(log));
  }

  private void awaitReady() throws IOException {
    Instant deadline = Instant.now().plus(STARTUP);
    while (Instant.now().isBefore(deadline)) {
      try {
        HttpURLConnection c = (HttpURLConnection) url().resolve("/v2/").toURL().openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(1000);
        int status = c.getResponseCode();
        c.disconnect();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (IOException e) {
        // not yet
      }
      sleep(20);
    }
    throw new IllegalStateException(
        "registry on port " + port + " never answered /v2/:\n" + logText());
  }

  /** {@code 127.0.0.1:PORT}, the registry part of image references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI url() {
    return URI.create("http://" + host());
  }

  /** Where the registry keeps its blobs and repositories. */
  public Path storage() {
    return dir.resolve("storage");
  }

  /** The registry's log so far. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One request from the access log. */
  public record Request(String method, String path, int status) {}

  /**
   * Every request the registry answered so far, in order. The registry writes an access-log line
   * just after answering, so this first sends a marker request and waits for its line: every
   * request answered before the call is then in the log.
   */
  public List<Request> requests() {
    String marker = "/v2/" + SYNC_REPOSITORY + "/manifests/m" + syncCounter.incrementAndGet();
    awaitLogged(marker);
    List<Request> out = new ArrayList<>();
    Matcher m = REQUEST.matcher(logText());
    while (m.find()) {
      if (!m.group(2).startsWith("/v2/" + SYNC_REPOSITORY + "/")) {
        out.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
      }
    }
    return out;
  }

  private void awaitLogged(String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) url().resolve(path).toURL().openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(5000);
      c.getResponseCode();
      c.disconnect();
    } catch (IOException e) {
      throw new UncheckedIOException("marker request to the registry", e);
    }
    Instant deadline = Instant.now().plusSeconds(10);
    while (!logText().contains(" " + path + " ")) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the registry never logged " + path);
      }
      sleep(5);
    }
  }

  /** How many logged requests had this method and a path matching {@code pathRegex}. */
  public long count(String method, String pathRegex) {
    Pattern p = Pattern.compile(pathRegex);
    return requests().stream()
        .filter(r -> r.method().equals(method) && p.matcher(r.path()).find())
        .count();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // JVM shutting down: the hook runs anyway.
    }
    deleteTree(dir);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for docker-registry", e);
    }
  }
}
