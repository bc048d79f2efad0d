package dev.stamp.controller.store;

import dev.stamp.controller.ControllerException;
import java.sql.SQLException;
import java.sql.SQLTransientException;

/** How a database failure reads to the controller: what to do next, and whether to retry. */
final class Sql {

  private static final int H2_DATABASE_IN_USE = 90020;
  private static final int H2_CONCURRENT_UPDATE = 90131;
  private static final int H2_LOCK_TIMEOUT = 50200;
  private static final int H2_DEADLOCK = 40001;

  private Sql() {}

  /**
   * Whether running the whole transaction again may succeed: a serialization failure, a deadlock, a
   * lock timeout, or a duplicate key from two writers creating the same row at once.
   */
  static boolean transactionMayRetry(SQLException e) {
    String state = state(e);
    return state.equals("40001")
        || state.equals("40P01")
        || state.equals("23505")
        || e.getErrorCode() == H2_CONCURRENT_UPDATE
        || e.getErrorCode() == H2_LOCK_TIMEOUT
        || e.getErrorCode() == H2_DEADLOCK;
  }

  /** {@code e} as a ControllerException: {@code what} was being done, against {@code url}. */
  static ControllerException error(String what, String url, SQLException e) {
    String message = what + " in " + url + ": " + e.getMessage();
    if (e.getErrorCode() == H2_DATABASE_IN_USE) {
      return ControllerException.unavailable(
          what
              + ": the H2 database "
              + url
              + " is open in another process (another stamp controller on the same state root?"
              + " give each its own --root, or share a PostgreSQL database)",
          e);
    }
    String state = state(e);
    if (state.startsWith("28")) {
      return ControllerException.failed(
          what + " in " + url + ": the database refused the user or password: " + e.getMessage(),
          e);
    }
    if (state.startsWith("08")
        || state.startsWith("53")
        || state.startsWith("57P")
        || e instanceof SQLTransientException
        || transactionMayRetry(e)) {
      return ControllerException.unavailable(message, e);
    }
    return ControllerException.failed(message, e);
  }

  /** The first SQLException in {@code t}'s cause chain, if any. */
  static SQLException sqlCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s) {
        return s;
      }
    }
    return null;
  }

  private static String state(SQLException e) {
    return e.getSQLState() == null ? "" : e.getSQLState();
  }
}
