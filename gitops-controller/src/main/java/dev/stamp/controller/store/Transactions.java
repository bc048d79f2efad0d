package dev.stamp.controller.store;

import dev.stamp.controller.ControllerException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs each store operation as one transaction on a pooled connection. A transaction that lost a
 * race the database can tell about (serialization failure, deadlock, lock timeout, a duplicate key
 * from two writers creating one row) is rolled back and run again, a few times; every other failure
 * becomes a {@link ControllerException} naming the operation and the database.
 */
final class Transactions {

  /** The body of one transaction; it may throw ControllerException to roll back with it. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException, ControllerException;
  }

  private static final int ATTEMPTS = 5;

  private final DataSource pool;
  private final String url;

  Transactions(DataSource pool, String redactedUrl) {
    this.pool = pool;
    this.url = redactedUrl;
  }

  <T> T run(String what, Work<T> work) throws ControllerException {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection()) {
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | ControllerException | RuntimeException e) {
          rollbackQuietly(c, e);
          throw e;
        }
      } catch (SQLException e) {
        if (attempt < ATTEMPTS && Sql.transactionMayRetry(e)) {
          continue;
        }
        throw Sql.error(what, url, e);
      }
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
