package dev.stamp.controller.store;

import dev.stamp.testkit.PostgresServer;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store's contract on PostgreSQL: one throwaway cluster for the class, a new database per test,
 * password authentication with the password in a file. Skips when PostgreSQL is missing.
 */
class PostgresControllerStoreIT extends ControllerStoreContract {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  DatabaseSettings freshDatabase() {
    return new DatabaseSettings(
        server.jdbcUrl(server.createDatabase()),
        Optional.of(server.user()),
        Optional.of(server.passwordFile()));
  }
}
