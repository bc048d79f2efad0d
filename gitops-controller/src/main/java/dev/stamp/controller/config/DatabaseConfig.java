package dev.stamp.controller.config;

import java.util.Locale;

/**
 * The release store's database: a JDBC {@code url} (null: the store's default, H2 under {@code
 * stateRoot/controller/db}), a {@code user} and a {@code passwordFile} (both optional). A URL
 * carrying a password is refused: the password belongs in {@code passwordFile}.
 */
public record DatabaseConfig(String url, String user, SecretFile passwordFile) {

  /** The store decides. */
  public static final DatabaseConfig DEFAULT = new DatabaseConfig(null, null, null);

  public DatabaseConfig {
    String problem = urlProblem(url);
    if (problem != null) {
      throw new IllegalArgumentException("database.url: " + problem);
    }
  }

  /** Why {@code url} is refused, or null; never quotes the URL (it may hold a password). */
  static String urlProblem(String url) {
    if (url == null) {
      return null;
    }
    if (!url.startsWith("jdbc:")) {
      return "expected a JDBC URL starting with jdbc: (jdbc:h2:file:…, jdbc:postgresql://…)";
    }
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.contains("password=") || Urls.redact(url).contains("***")) {
      return "a password in the URL is refused (it would end up in logs); put it in"
          + " database.passwordFile";
    }
    return null;
  }
}
