package dev.stamp.controller.store;

import dev.stamp.controller.ControllerException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;

/**
 * Brings a database's schema to this code's version with Flyway: {@code db/migration/common} (SQL
 * both databases run unchanged) and {@code db/migration/h2} or {@code db/migration/postgresql}
 * (Quartz's tables, whose types differ). Refuses a database whose schema is newer than this code.
 */
final class Migrations {

  /** Flyway's history table: named so that it cannot clash with anything else in a shared DB. */
  static final String HISTORY_TABLE = "stamp_schema_history";

  private Migrations() {}

  /** Migrates and returns the schema version now in the database. */
  static String migrate(DataSource dataSource, DatabaseSettings settings)
      throws ControllerException {
    String url = settings.redactedUrl();
    try {
      Flyway flyway =
          Flyway.configure(Migrations.class.getClassLoader())
              .dataSource(dataSource)
              .locations(
                  "classpath:db/migration/common",
                  "classpath:db/migration/" + settings.vendor().folder())
              .table(HISTORY_TABLE)
              .load();
      refuseFuture(flyway.info(), url);
      flyway.migrate();
      MigrationInfo current = flyway.info().current();
      return current == null ? "none" : current.getVersion().getVersion();
    } catch (FlywayException e) {
      SQLException sql = Sql.sqlCause(e);
      if (sql != null) {
        throw Sql.error("migrate the controller database schema", url, sql);
      }
      throw ControllerException.failed(
          "migrate the controller database schema in " + url + ": " + e.getMessage(), e);
    }
  }

  private static void refuseFuture(MigrationInfoService info, String url)
      throws ControllerException {
    MigrationInfo[] future =
        Arrays.stream(info.applied())
            .filter(
                m ->
                    m.getState() == MigrationState.FUTURE_SUCCESS
                        || m.getState() == MigrationState.FUTURE_FAILED)
            .toArray(MigrationInfo[]::new);
    if (future.length == 0) {
      return;
    }
    String known =
        Arrays.stream(info.all())
            .filter(m -> m.getState().isResolved() && m.getVersion() != null)
            .map(m -> m.getVersion().getVersion())
            .reduce((a, b) -> b)
            .orElse("none");
    throw ControllerException.failed(
        "open the controller database "
            + url
            + ": its schema is at version "
            + future[future.length - 1].getVersion().getVersion()
            + " (migrations "
            + Arrays.stream(future)
                .map(m -> m.getVersion().getVersion() + " " + m.getDescription())
                .collect(Collectors.joining(", "))
            + "), newer than this stamp knows (up to "
            + known
            + "): a newer stamp controller migrated it; run that version, or give this one"
            + " another database",
        null);
  }
}
