package dev.stamp.controller.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the controller keeps its state: a JDBC URL ({@code jdbc:h2:...} or {@code
 * jdbc:postgresql://...}), the user, and a file holding the password (never the password itself, so
 * that no configuration, log or error carries it). A password written into the URL works but is
 * replaced by {@code ***} wherever the URL is shown ({@link #redactedUrl()}).
 */
public record DatabaseSettings(String jdbcUrl, Optional<String> user, Optional<Path> passwordFile) {

  /** The databases the schema and Quartz's job store are written for. */
  public enum Vendor {
    H2("h2", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate"),
    POSTGRESQL("postgresql", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");

    private final String folder;
    private final String quartzDelegate;

    Vendor(String folder, String quartzDelegate) {
      this.folder = folder;
      this.quartzDelegate = quartzDelegate;
    }

    /** Its migrations folder under {@code db/migration}. */
    public String folder() {
      return folder;
    }

    /** The {@code org.quartz.jobStore.driverDelegateClass} for this database. */
    public String quartzDelegateClass() {
      return quartzDelegate;
    }
  }

  public DatabaseSettings {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(passwordFile, "passwordFile");
    vendorOf(jdbcUrl);
  }

  /** The default: an embedded H2 file database in {@code stateRoot/controller/db}. */
  public static DatabaseSettings h2(Path stateRoot) {
    Path file = h2Directory(stateRoot).resolve("stamp");
    // LOCK_TIMEOUT: a writer waits up to 10 s for a row another transaction holds (default 1 s).
    return new DatabaseSettings(
        "jdbc:h2:file:" + file + ";LOCK_TIMEOUT=10000", Optional.empty(), Optional.empty());
  }

  /** {@code stateRoot/controller/db}, where {@link #h2(Path)} keeps its files. */
  public static Path h2Directory(Path stateRoot) {
    return stateRoot.toAbsolutePath().normalize().resolve("controller").resolve("db");
  }

  public Vendor vendor() {
    return vendorOf(jdbcUrl);
  }

  /** The URL with any password in it replaced by {@code ***}: the form errors and logs show. */
  public String redactedUrl() {
    return jdbcUrl
        .replaceAll("(?i)(password=)[^&;]*", "$1***")
        .replaceAll("(?i)(//[^/@:]+:)[^/@]*@", "$1***@");
  }

  private static Vendor vendorOf(String url) {
    if (url.startsWith("jdbc:h2:")) {
      return Vendor.H2;
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return Vendor.POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "database URL: expected jdbc:h2:... or jdbc:postgresql://..., got "
            + url.replaceAll("(?i)(password=)[^&;]*", "$1***"));
  }
}
