package dev.stamp.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL cluster for tests: {@code initdb} into a temp dir, {@code pg_ctl start}
 * listening only on 127.0.0.1 at a free port (its unix socket inside the temp dir), a superuser
 * {@link #USER} with a generated password (scram-sha-256 over TCP), {@code fsync=off}. {@link
 * #close()} stops it ({@code pg_ctl stop -m immediate}) and deletes the directory. PostgreSQL
 * refuses to run as root, so under root every binary runs as the {@code postgres} OS user through
 * {@code setpriv} (started in {@code /}) and the temp dir is handed to that user. Binaries come
 * from the newest {@code /usr/lib/postgresql/VERSION/bin}; when they are missing the test is
 * skipped (Debian package postgresql; {@code bin/setup} installs it).
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.start()) {
 *   String url = pg.jdbcUrl(pg.createDatabase());   // jdbc:postgresql://127.0.0.1:PORT/test_1
 *   // user pg.user(), password in pg.passwordFile()
 * }
 * }</pre>
 */
public final class PostgresServer implements AutoCloseable {

  public static final Path INSTALL_ROOT = Path.of("/usr/lib/postgresql");
  public static final String USER = "stamp";
  private static final String OS_USER = "postgres";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path bin;
  private final Path dir;
  private final int port;
  private final String password;
  private final Thread reaper;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path bin, Path dir, int port, String password, Thread reaper) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.password = password;
    this.reaper = reaper;
  }

  /** The newest installed PostgreSQL's bin directory, if any. */
  public static Optional<Path> binaries() {
    if (!Files.isDirectory(INSTALL_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(INSTALL_ROOT)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
          .filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl")))
          .max(Comparator.comparingDouble(v -> Double.parseDouble(v.getFileName().toString())))
          .map(v -> v.resolve("bin"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Starts a new cluster, skipping the calling test when PostgreSQL is not installed. */
  public static PostgresServer start() {
    Optional<Path> bin = binaries();
    Assumptions.assumeTrue(
        bin.isPresent(),
        "skipped: needs PostgreSQL's initdb and pg_ctl under "
            + INSTALL_ROOT
            + "/VERSION/bin (Debian package postgresql; bin/setup installs it)");
    if (RootCondition.isRoot()) {
      Assumptions.assumeTrue(
          HostCommand.run("id", "-u", OS_USER).code() == 0,
          "skipped: running as root needs the OS user "
              + OS_USER
              + " to run PostgreSQL (Debian package postgresql creates it; bin/setup installs it)");
    }
    try {
      Path dir = Files.createTempDirectory("stamp-pg-");
      String password = HexFormat.of().formatHex(randomBytes(16));
      Path pwfile = dir.resolve("password");
      Files.writeString(pwfile, password + "\n");
      Files.createDirectory(dir.resolve("socket"));
      if (RootCondition.isRoot()) {
        HostCommand.run("chown", "-R", OS_USER + ":", dir.toString()).ok();
      }
      run(
          bin.get(),
          "initdb",
          "-D",
          data(dir),
          "-U",
          USER,
          "--pwfile=" + pwfile,
          "-E",
          "UTF8",
          "--locale=C",
          "--auth-local=trust",
          "--auth-host=scram-sha-256",
          "--no-sync");
      Thread reaper = new Thread(() -> stopQuietly(bin.get(), dir), "postgres-fixture-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      AssertionError last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        int port = TestNetworks.freePort();
        try {
          startCluster(bin.get(), dir, port);
          return new PostgresServer(bin.get(), dir, port, password, reaper);
        } catch (AssertionError e) {
          last = e; // most likely the port was taken between freePort() and the bind: retry
        }
      }
      Runtime.getRuntime().removeShutdownHook(reaper);
      deleteTree(dir);
      throw new AssertionError("could not start PostgreSQL in " + dir + " after 3 ports", last);
    } catch (IOException e) {
      throw new UncheckedIOException("start a PostgreSQL test cluster", e);
    }
  }

  private static void startCluster(Path bin, Path dir, int port) throws IOException {
    String options =
        "-c listen_addresses=127.0.0.1 -p "
            + port
            + " -c unix_socket_directories="
            + dir.resolve("socket")
            + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            + " -c max_connections=100";
    Path log = dir.resolve("postgres.log");
    HostCommand.Result r =
        HostCommand.run(
            COMMAND_TIMEOUT,
            null,
            argv(
                bin,
                "pg_ctl",
                "-D",
                data(dir),
                "-l",
                log.toString(),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start"));
    if (r.code() != 0) {
      String logText = Files.exists(log) ? Files.readString(log) : "(no log)";
      stopQuietly(bin, dir);
      throw new AssertionError(
          "pg_ctl start on port " + port + " exited " + r.code() + ": " + r.err() + "\n" + logText);
    }
  }

  /** Creates a new empty database owned by {@link #USER} and returns its name. */
  public String createDatabase() {
    String name = "test_" + databases.incrementAndGet();
    run(
        bin,
        "createdb",
        "-h",
        dir.resolve("socket").toString(),
        "-p",
        String.valueOf(port),
        "-U",
        USER,
        name);
    return name;
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  /** A file holding the password (and a newline), readable by the test. */
  public Path passwordFile() {
    return dir.resolve("password");
  }

  /** The server's log so far. */
  public String logText() {
    try {
      return Files.readString(dir.resolve("postgres.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    stopQuietly(bin, dir);
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // JVM shutting down: the hook runs anyway.
    }
    deleteTree(dir);
  }

  private static void stopQuietly(Path bin, Path dir) {
    if (Files.exists(dir.resolve("data/postmaster.pid"))) {
      HostCommand.run(
          COMMAND_TIMEOUT,
          null,
          argv(bin, "pg_ctl", "-D", data(dir), "-m", "immediate", "-w", "stop"));
    }
  }

  private static void run(Path bin, String tool, String... args) {
    List<String> argv = argv(bin, tool, args);
    HostCommand.Result r = HostCommand.run(COMMAND_TIMEOUT, null, argv);
    if (r.code() != 0) {
      throw new AssertionError(argv + " exited " + r.code() + "\n" + r.out() + r.err());
    }
  }

  /** {@code bin/tool args}, run as the postgres OS user when this JVM is root. */
  private static List<String> argv(Path bin, String tool, String... args) {
    List<String> argv = new ArrayList<>();
    if (RootCondition.isRoot()) {
      argv.addAll(
          List.of(
              "setpriv",
              "--reuid=" + OS_USER,
              "--regid=" + OS_USER,
              "--init-groups",
              "--reset-env",
              "--",
              // start in a directory the postgres user may enter (the JVM's may be root's own)
              "env",
              "-C",
              "/"));
    }
    argv.add(bin.resolve(tool).toString());
    argv.addAll(List.of(args));
    return argv;
  }

  private static String data(Path dir) {
    return dir.resolve("data").toString();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }
}
